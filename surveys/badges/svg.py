"""A README badge drawn by hand, in the shape shields.io made familiar (DESIGN §6.9).

Pure: the scores and band in, SVG text out. Widths are estimated per character (wide
for Japanese), so the badge reads in both languages without a font on the server.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from html import escape

# Colours by band, red to bright green (grey: no submitted score).
BAND_COLOURS = {
    "0": "#c0392b",
    "(0,1]": "#d35400",
    "(1,2]": "#9a6700",
    "(2,3]": "#5b7a00",
    "(3,5]": "#2e7d32",
    ">5": "#1b5e20",
}
NO_SCORE = "#5f6b76"
LABEL = "#3c4650"
WORDS = {
    "en": {"label": "MLOps score", "verified": "verified", "none": "not submitted"},
    "ja": {"label": "MLOpsスコア", "verified": "検証済", "none": "未提出"},
}


@dataclass(frozen=True)
class BadgeFigures:
    final: float | None
    verified: float | None
    band: str


def _text_width(text: str) -> int:
    """Width in pixels at 11 px Verdana, close enough for padding."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return round(wide * 11 + (len(text) - wide) * 6.8)


def _segment(x: int, text: str, colour: str) -> tuple[str, str, int]:
    """One coloured box and its text (with the shadow that keeps it readable)."""
    width = _text_width(text) + 12
    centre = x + width / 2
    safe = escape(text)
    return (
        f'<rect x="{x}" width="{width}" height="20" fill="{colour}"/>',
        f'<text x="{centre:.1f}" y="15" fill="#010101" fill-opacity=".3">{safe}</text>'
        f'<text x="{centre:.1f}" y="14">{safe}</text>',
        width,
    )


def badge_svg(figures: BadgeFigures, lang: str = "en") -> str:
    words = WORDS.get(lang, WORDS["en"])
    parts = [(words["label"], LABEL)]
    if figures.final is None:
        parts.append((words["none"], NO_SCORE))
    else:
        colour = BAND_COLOURS.get(figures.band, NO_SCORE)
        parts.append((f"{figures.final:.2f} {figures.band}".strip(), colour))
        if figures.verified is not None:
            parts.append((f"{words['verified']} {figures.verified:.2f}", LABEL))
    boxes, texts, x = [], [], 0
    for text, colour in parts:
        box, drawn, width = _segment(x, text, colour)
        boxes.append(box)
        texts.append(drawn)
        x += width
    label = escape(" · ".join(text for text, _ in parts), quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{x}" height="20" role="img" '
        f'aria-label="{label}"><title>{label}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{x}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)">{"".join(boxes)}'
        f'<rect width="{x}" height="20" fill="url(#s)"/></g>'
        '<g font-family="Verdana,Geneva,DejaVu Sans,Noto Sans CJK JP,sans-serif" '
        f'font-size="11" text-anchor="middle" fill="#fff">{"".join(texts)}</g></svg>'
    )
