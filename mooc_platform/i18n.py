"""The languages of the platform: the one list that settings, models, forms, serializers and
services read (SPEC §4: every page a tenant user reaches renders in English or French)."""

from __future__ import annotations

LANGUAGES = [("en", "English"), ("fr", "Français")]
LANGUAGE_CODES = tuple(code for code, _name in LANGUAGES)
DEFAULT_LANGUAGE = "en"


def language_supported(code: str | None, *, default: str = DEFAULT_LANGUAGE) -> str:
    """`code` when the platform speaks it, else `default`."""
    return code if code in LANGUAGE_CODES else default
