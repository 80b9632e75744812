"""Colour contrast by the WCAG 2.1 formula (relative luminance, contrast ratio), for the branding's rule: text on
the organisation's colours stays readable (issue 13 item 4, WCAG 2.1 SC 1.4.3, level AA)."""

from __future__ import annotations

AA_TEXT = 4.5  # WCAG 2.1 SC 1.4.3: normal text needs 4.5:1 at least
WHITE = "#ffffff"
DARK_TEXT = "#111827"  # the site's text colour (site.css --text), written on the accent colour


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """The relative luminance (0 black – 1 white) of a colour written #rrggbb, per WCAG 2.1's definition."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """The contrast ratio of two #rrggbb colours, (L1 + 0.05) / (L2 + 0.05) with L1 the lighter: 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable(*, text: str, background: str) -> bool:
    """Whether `text` on `background` meets WCAG AA for normal text (4.5:1 or more, unrounded)."""
    return contrast_ratio(text, background) >= AA_TEXT


def text_on(background: str) -> str:
    """The text colour written on `background`: white or the site's dark text, whichever contrasts more."""
    return WHITE if contrast_ratio(WHITE, background) >= contrast_ratio(DARK_TEXT, background) else DARK_TEXT
