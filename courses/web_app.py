"""The organisation's site as an installable web app (issue 13 item 6): its manifest and its icons, drawn from
the branding (name, primary colour) so that each organisation's phone icon is its own."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from .colours import text_on

ICON_SIZES = (192, 512)
DEFAULT_PRIMARY = "#1d4ed8"  # site.css --brand


def initials(name: str) -> str:
    """Up to two initials of the organisation's name ("ACME Corporate Academy" → "AC"), "?" for none."""
    letters = [word[0] for word in name.split() if word[:1].isalnum()]
    return "".join(letters[:2]).upper() or "?"


@lru_cache(maxsize=256)
def icon_png(*, text: str, background: str, size: int) -> bytes:
    """A square PNG of `size` px: `text` centred on a full-bleed `background` (#rrggbb). The text stays inside
    the central 60 %, within the safe zone of a maskable icon (a circle of 80 % of the size)."""
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=round(size * (0.36 if len(text) > 1 else 0.44)))
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((size - (right - left)) / 2 - left, (size - (bottom - top)) / 2 - top), text, font=font,
              fill=text_on(background))
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def manifest(*, name: str, primary: str, language: str, icon_url: dict[int, str]) -> dict[str, object]:
    """The web app manifest (W3C Web Application Manifest) of an organisation's site."""
    return {
        "name": name,
        "short_name": name if len(name) <= 12 else (name.split()[0][:12] or name[:12]),
        "lang": language,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": primary,
        "icons": [{"src": icon_url[size], "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}
                  for size in ICON_SIZES for purpose in ("any", "maskable")],
    }
