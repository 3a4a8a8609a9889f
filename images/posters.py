"""Posters: one upload in, every size the bot shows out, checked and made by Pillow.

A phone photo can be 24 megapixels; decoding it whole takes ~70 MB and a quarter of a second.
`Image.draft` asks the JPEG decoder to scale by 1/2, 1/4 or 1/8 while decoding, so we only ever
hold a picture close to the size we need.
"""
from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024   # what the Bot API lets a bot download
MAX_PIXELS = 50_000_000               # above this we refuse (decompression bombs)
MIN_SIDE = 200
MAX_ASPECT = 20                       # sendPhoto's limit on width:height
CARD_SIDE = 1280                      # Telegram shows photos up to 1280 px on the long side
THUMB_SIDE = 320
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}


class PosterError(ValueError):
    """Why an upload can't be a poster; `reason` is a text key for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


def process(data: bytes) -> Processed:
    """Check the upload is a real, whole, sane image and cut it to card and thumbnail sizes."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise PosterError("too_big")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ALLOWED_FORMATS:
                    raise PosterError("not_image")
                width, height = image.size
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
                image.load()  # a truncated file fails here
                ImageOps.exif_transpose(image, in_place=True)
                if image.mode in ("RGBA", "LA", "P"):
                    image = image.convert("RGBA")
                    background = Image.new("RGB", image.size, (255, 255, 255))
                    background.paste(image, mask=image.split()[-1])
                    image = background
                elif image.mode != "RGB":
                    image = image.convert("RGB")
                card = image  # resized in place: no second full-size copy
                card.thumbnail((CARD_SIDE, CARD_SIDE), Image.Resampling.LANCZOS)
                thumb = card.copy()
                thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
        except PosterError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PosterError("too_many_pixels") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise PosterError("not_image") from None
    return Processed(_jpeg(card, 85), _jpeg(thumb, 80), card.width, card.height)
