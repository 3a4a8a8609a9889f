"""Posters: images.posters.process (every size the bot uses) against a plain Pillow open + thumbnail to
the same sizes, each in a fresh child process (`python -m bench.posters MODE FILE REPEAT`) so its
peak resident memory is its own. Prints one JSON line."""
from __future__ import annotations

import io
import json
import os
import sys
import time
from pathlib import Path

from bench.data import OUT


def make_jpeg(width: int, height: int, out: Path = OUT) -> Path:
    """A camera-like JPEG (noise over gradients, so it does not compress to nothing), cached."""
    path = out / f"poster-{width}x{height}.jpg"
    if not path.exists():
        from PIL import Image, ImageDraw

        out.mkdir(parents=True, exist_ok=True)
        image = Image.effect_noise((width, height), 40).convert("RGB")
        overlay = Image.linear_gradient("L").resize((width, height)).convert("RGB")
        image = Image.blend(image, overlay, 0.5)
        draw = ImageDraw.Draw(image)
        for i in range(0, width, max(1, width // 30)):
            draw.ellipse([i, height // 4, i + width // 12, height // 2], outline=(200, 40, 40), width=8)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        image.save(tmp, "JPEG", quality=90)
        os.replace(tmp, path)
    return path


def make_png(width: int, height: int, out: Path = OUT) -> Path:
    """A designer's poster as a PNG with an alpha channel: soft gradients, flat shapes and a transparent
    margin, so it stays under the 20 MB upload limit while decoding to width x height x 4 bytes; cached."""
    path = out / f"poster-{width}x{height}-rgba.png"
    if not path.exists():
        from PIL import Image, ImageDraw

        out.mkdir(parents=True, exist_ok=True)
        image = Image.linear_gradient("L").resize((width, height)).convert("RGBA")
        image.putalpha(Image.radial_gradient("L").resize((width, height)).point(lambda v: 255 - v))
        draw = ImageDraw.Draw(image)
        for i in range(0, width, max(1, width // 12)):
            draw.rectangle([i, height // 3, i + width // 30, height // 2], fill=(200, 40, 40, 255))
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        image.save(tmp, "PNG")
        os.replace(tmp, path)
    return path


def plain(data: bytes) -> tuple[bytes, bytes]:
    """What one would write without thinking about it: open, thumbnail, save; same sizes and quality."""
    from PIL import Image

    from images.posters import CARD_SIDE, THUMB_SIDE

    with Image.open(io.BytesIO(data)) as card:
        card.thumbnail((CARD_SIDE, CARD_SIDE))  # Image.thumbnail uses the JPEG draft mode by itself
        thumb = card.copy()
        thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    outs = []
    for picture, quality in ((card, 85), (thumb, 80)):
        buffer = io.BytesIO()
        (picture if picture.mode == "RGB" else picture.convert("RGB")).save(buffer, "JPEG", quality=quality)
        outs.append(buffer.getvalue())
    return outs[0], outs[1]


def _status(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def child(mode: str, path: str, repeat: int) -> dict:
    from PIL import Image  # noqa: F401 - imported before the baseline is taken

    from images.posters import process

    data = Path(path).read_bytes()
    work = {"process": lambda: process(data), "plain": lambda: plain(data)}[mode]
    # ru_maxrss is no good here: after fork+exec it still holds the parent's peak. Reset this process's
    # peak (VmHWM) to its current RSS instead, and read it back after the work.
    Path("/proc/self/clear_refs").write_text("5")
    baseline = _status("VmRSS")
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    peak = _status("VmHWM")
    return {"mode": mode, "best_s": min(times), "times": times, "peak_extra_kib": peak - baseline,
            "input_bytes": len(data)}


if __name__ == "__main__":
    print(json.dumps(child(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
