"""Posters: one upload in, every size the bot shows out, checked and made by Pillow.

Memory is what an upload can cost us, not bytes on the wire: a 20 MB file can hold a picture that
takes gigabytes once decoded (a flat-colour PNG of 48 megapixels with alpha is a few hundred
kilobytes and 192 MB in memory). So before decoding a pixel we work out what decoding will hold
and refuse what is over MAX_DECODED_BYTES; we decode at most MAX_DECODES posters at once; and from
the decoded picture to the card we never make a second full-size copy:

- A JPEG is decoded at reduced scale: `Image.draft` asks the decoder to scale by 1/2, 1/4 or 1/8
  while decoding (a 24-megapixel phone photo is read as 1.5 megapixels).
- Anything else (PNG, WebP, GIF, BMP) can only be decoded whole. It is then flattened onto white
  and shrunk by a whole factor a strip at a time, like draft() does for a JPEG, into a picture
  still at least the card's size, which Pillow's LANCZOS takes down to the card. So the peak is the
  decoded picture and at most (2 x CARD_SIDE)^2 pixels more.
"""
from __future__ import annotations

import io
import threading
import warnings
from dataclasses import dataclass

from PIL import ExifTags, Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024   # what the Bot API lets a bot download
MAX_PIXELS = 50_000_000               # above this we refuse (decompression bombs)
MAX_DECODED_BYTES = 100_000_000       # what decoding one upload may hold in memory
MAX_DECODES = 2                       # uploads decoded at once, in all threads of the process
MIN_SIDE = 200
MAX_ASPECT = 20                       # sendPhoto's limit on width:height
CARD_SIDE = 1280                      # Telegram shows photos up to 1280 px on the long side
THUMB_SIDE = 320
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}

STRIP_PIXELS = 250_000  # pixels flattened and shrunk at a time
WHITE = (255, 255, 255)

# Bytes a pixel takes in Pillow's memory, which is not the file's depth: RGB is stored 4 bytes wide
# like RGBA, 16-bit grey 2 bytes, palette and grey 1; anything else is counted as 4.
PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
# What a decoder holds besides the picture, per pixel. Pillow's WebP decoder keeps an RGBA canvas of
# its own and hands each frame over as another RGBA copy (peak resident memory measured with Pillow 13
# as bench/posters.py measures it: 14.5 bytes a pixel in all for an RGB WebP).
DECODER_EXTRA_BYTES = {"WEBP": 12}
# A progressive JPEG is decoded from the full-size picture's DCT coefficients, whatever the scale
# asked for with draft(): 2 bytes for each sample of each colour component.
COEFFICIENT_BYTES = 2

# EXIF orientation -> what turns the picture upright.
UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
           5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
           8: Image.Transpose.ROTATE_90}

_decoding = threading.BoundedSemaphore(MAX_DECODES)
_opening = threading.Lock()  # warnings.catch_warnings() changes the whole process's filters


class PosterError(ValueError):
    """Why an upload can't be a poster; `reason` is a text key for the user, `details` what the text
    says about this upload."""

    def __init__(self, reason: str, **details: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class Processed:
    card_jpeg: bytes
    thumb_jpeg: bytes
    width: int
    height: int


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def decoding_bytes(image: Image.Image, full_size: tuple[int, int]) -> int:
    """What decoding the opened (not yet loaded) picture will hold in memory: the picture at the size it
    will be decoded at (a JPEG's draft size), the decoder's own buffers, a progressive JPEG's coefficients."""
    width, height = image.size
    needed = width * height * (PIXEL_BYTES.get(image.mode, 4) + DECODER_EXTRA_BYTES.get(image.format, 0))
    if image.format in {"JPEG", "MPO"} and image.info.get("progressive"):
        components = getattr(image, "layer", None) or [(None, 1, 1, None)] * 4  # (id, h, v, table) each
        h_max, v_max = max(c[1] for c in components), max(c[2] for c in components)
        samples = sum(c[1] * c[2] for c in components) / (h_max * v_max)  # per pixel: 1.5 for 4:2:0 colour
        needed += int(full_size[0] * full_size[1] * samples * COEFFICIENT_BYTES)
    return needed


def _on_white(strip: Image.Image) -> Image.Image:
    """A piece of the picture as RGB, transparent parts on white (as Telegram would show a JPEG)."""
    if strip.mode.startswith("I"):  # 16-bit grey: convert() would clip every value over 255 to white
        strip = strip.point(lambda value: value / 257).convert("L")
    if not strip.has_transparency_data:
        return strip.convert("RGB")
    strip = strip.convert("RGBA")
    flat = Image.new("RGB", strip.size, WHITE)
    flat.paste(strip, mask=strip)
    return flat


def _reduced(image: Image.Image) -> Image.Image:
    """The loaded picture on white, shrunk by a whole factor while it stays at least the card's size: a
    strip at a time, so there is never a second full-size copy (a JPEG's draft() did the shrinking already)."""
    width, height = image.size
    factor = max(1, max(width, height) // CARD_SIDE)
    rows = max(1, STRIP_PIXELS // (width * factor)) * factor  # a whole number of factors: reduce() sees whole blocks
    out = Image.new("RGB", (-(-width // factor), -(-height // factor)))
    for top in range(0, height, rows):
        strip = _on_white(image.crop((0, top, width, min(height, top + rows))))
        out.paste(strip.reduce(factor) if factor > 1 else strip, (0, top // factor))
    return out


def _open(data: bytes) -> Image.Image:
    """Read the upload's header; Pillow's own decompression-bomb warning is an error here."""
    with _opening, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data))


def _checked_and_reduced(data: bytes) -> Image.Image:
    """Open, check and decode the upload into a picture of 1-2 times the card's size; raises PosterError."""
    image = _open(data)
    try:
        if image.format not in ALLOWED_FORMATS:
            raise PosterError("not_image")
        width, height = full_size = image.size
        if width * height > MAX_PIXELS:
            raise PosterError("too_many_pixels")
        if min(width, height) < MIN_SIDE:
            raise PosterError("too_small")
        if max(width, height) > MAX_ASPECT * min(width, height):
            raise PosterError("bad_shape")  # Telegram refuses photos more than 20:1
        if image.format in {"JPEG", "MPO"}:
            # Decode at the smallest 1/2^k scale still at least as big as the card would be
            # (a 6000x4000 photo: 1/4, 1500x1000), never holding the full-size picture.
            scale = min(CARD_SIDE / width, CARD_SIDE / height, 1.0)
            image.draft("RGB", (max(1, round(width * scale)), max(1, round(height * scale))))
        needed = decoding_bytes(image, full_size)
        if needed > MAX_DECODED_BYTES:
            per_pixel = needed / (width * height)
            raise PosterError("too_big_to_open", width=width, height=height, needed_mb=round(needed / 1e6),
                              max_megapixels=max(1, int(MAX_DECODED_BYTES / per_pixel / 1e6)))
        image.load()  # a truncated file fails here
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
        picture = _reduced(image)
    finally:
        image.close()  # frees the decoded picture now, not whenever the frame is collected
    return picture.transpose(UPRIGHT[orientation]) if orientation in UPRIGHT else picture


def process(data: bytes) -> Processed:
    """Check the upload is a real, whole, sane image and cut it to card and thumbnail sizes."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise PosterError("too_big")
    try:
        with _decoding:  # however many uploads arrive at once, only MAX_DECODES are decoded at a time
            card = _checked_and_reduced(data)
    except PosterError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PosterError("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise PosterError("not_image") from None
    card.thumbnail((CARD_SIDE, CARD_SIDE), Image.Resampling.LANCZOS)
    thumb = card.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Processed(_jpeg(card, 85), _jpeg(thumb, 80), card.width, card.height)
