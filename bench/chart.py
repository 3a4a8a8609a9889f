"""The results chart, drawn with Pillow (no plotting library): one panel of horizontal bars per area."""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH = 1100
BAR = 22
GAP = 8
PANEL_GAP = 26
LABEL_W = 260
COLORS = [(46, 117, 182), (160, 160, 160), (220, 120, 40), (90, 170, 90)]


def _font(size: int):
    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def _panels(chart: dict[str, list]) -> list[tuple[str, str, list[tuple[str, list[float]]], list[str]]]:
    """(title, unit, [(label, [values...])], series names) per panel."""
    panels = []
    if "throughput" in chart:
        panels.append(("1. Throughput, full attendee flow (higher is better)", "updates/s",
                       [(label, [value]) for label, value in chart["throughput"]], []))
    for key, values in chart.items():
        if key.startswith("sellout "):
            panels.append((f"2. Sell-out race, {key.split(' ', 1)[1]} (lower is better)", "s",
                           [(label, [value]) for label, value in values], []))
    if chart.get("scale"):
        panels.append((f"3. Scale: p50 latency per step, empty DB vs {chart.get('scale_label', 'big DB')}", "ms",
                       [(step, [empty, big]) for step, empty, big in chart["scale"]], ["empty DB", "big DB"]))
    if "posters" in chart:
        panels.append(("4. Posters: process() vs plain Pillow thumbnail (lower is better)", "",
                       [(label, list(values)) for label, *values in chart["posters"]],
                       ["images.posters.process", "plain thumbnail"]))
    if "memory" in chart:
        panels.append(("5. Resident memory of one bot process", "MiB",
                       [(label, [value]) for label, value in chart["memory"]], []))
    return panels


def draw(chart: dict[str, list], path: Path, title: str = "eventbot benchmarks") -> None:
    panels = _panels(chart)
    height = 60 + sum(40 + sum(len(vals) * (BAR + 2) + GAP for _, vals in items) + PANEL_GAP
                      for _, _, items, _ in panels)
    image = Image.new("RGB", (WIDTH, max(height, 120)), "white")
    pen = ImageDraw.Draw(image)
    big, small = _font(18), _font(13)
    pen.text((16, 14), title, fill="black", font=big)
    y = 56
    for panel_title, unit, items, series in panels:
        pen.text((16, y), panel_title, fill="black", font=_font(15))
        legend_x = WIDTH - 16
        for i, name in reversed(list(enumerate(series))):
            width = pen.textlength(name, font=small)
            legend_x -= width + 26
            pen.rectangle([legend_x, y + 3, legend_x + 14, y + 15], fill=COLORS[i % len(COLORS)])
            pen.text((legend_x + 18, y + 1), name, fill="black", font=small)
        y += 30
        top = max((v for _, vals in items for v in vals if v == v), default=1) or 1
        scale = (WIDTH - LABEL_W - 140) / top
        for label, vals in items:
            pen.text((16, y + 3), label, fill="black", font=small)
            for i, value in enumerate(vals):
                color = COLORS[i % len(COLORS)] if len(vals) > 1 else (
                    COLORS[2] if label.startswith("target") else COLORS[0] if items.index((label, vals)) == 0
                    else COLORS[1])
                length = max(1, int((value if value == value else 0) * scale))
                pen.rectangle([LABEL_W, y, LABEL_W + length, y + BAR - 4], fill=color)
                text = f"{value:,.1f} {unit}".strip() if value < 100 else f"{value:,.0f} {unit}".strip()
                pen.text((LABEL_W + length + 6, y + 2), text, fill="black", font=small)
                y += BAR + 2
            y += GAP
        pen.line([LABEL_W, y - GAP - 2, LABEL_W, y - GAP - 2 - sum(len(v) * (BAR + 2) + GAP for _, v in items)],
                 fill=(120, 120, 120))
        y += PANEL_GAP
    image.save(path, optimize=True)
