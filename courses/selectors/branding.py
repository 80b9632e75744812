"""Reads of the organisation's branding."""

from __future__ import annotations

from ..models import Branding


def branding_current() -> Branding | None:
    return Branding.objects.filter(pk=1).select_related("logo").first()


def branding_email_sender_name() -> str:
    """The display name of the From header of the current organisation's e-mails ("" when none is set: the
    platform's own From is used). Reached by mooc_platform.emails through settings.TENANT_EMAIL_SENDER_READER."""
    return Branding.objects.filter(pk=1).values_list("email_sender_name", flat=True).first() or ""
