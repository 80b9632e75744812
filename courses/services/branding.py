"""The organisation as seen from its schema: its limits (read by value from the platform's
tenant row), its display name and language, and the branding administrators edit."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils.formats import number_format
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from courses.errors import Code
from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record
from mooc_platform.errors import ApplicationError, ForbiddenError
from mooc_platform.i18n import LANGUAGE_CODES, language_supported

from ..colours import WHITE, contrast_ratio, readable, text_on
from ..errors import UploadRefusedError
from ..models import Branding, MediaUpload


@dataclass(frozen=True)
class TenantLimits:
    name: str
    language: str
    seat_limit: int
    storage_quota_bytes: int
    storage_used_bytes: int


def tenant_limits(*, for_update: bool = False) -> TenantLimits:
    """The current tenant's subscription limits and usage, read fresh from its row (the request's
    tenant object may come from the routing cache). `for_update` locks the row until the end of
    the transaction, which serialises seat and quota decisions of one organisation."""
    row = import_string(settings.TENANT_ROW_READER)(
        schema_name=connection.schema_name, for_update=for_update,
        fields=("name", "language", "seat_limit", "storage_quota_bytes", "storage_used_bytes"))
    return TenantLimits(**row)


def tenant_default_language() -> str:
    """The organisation's language, read fresh from its one home, its tenant row (`Tenant.language`, set when
    it was created, changed by its administrators on the branding page): its pages for visitors who did not
    choose one, its e-mails to people without a language of their own."""
    row = import_string(settings.TENANT_ROW_READER)(schema_name=connection.schema_name, fields=("language",))
    return language_supported(row["language"])


def branding_display_name() -> str:
    branding = Branding.objects.filter(pk=1).only("name").first()
    if branding is not None and branding.name:
        return branding.name
    name = getattr(getattr(connection, "tenant", None), "name", None)
    return name or tenant_limits().name


_HEX = re.compile(r"#[0-9a-fA-F]{6}")
# A sender name is a display name in a header: no line breaks, no angle brackets or quotes that could forge an
# address; printable text otherwise (accents welcome; `formataddr` encodes them).
_SENDER_NAME_REFUSED = re.compile(r"[\x00-\x1f\x7f<>\"@\\]")
SENDER_NAME_MAX = 100


def _shown(ratio: float) -> str:
    """A ratio as shown to people: two decimals, rounded down (4.499 shows 4.49, never a passing-looking 4.50)."""
    return number_format(math.floor(ratio * 100) / 100, 2)


def _contrast_errors(*, primary: str | None, accent: str | None) -> dict[str, list[str]]:
    """The new colours on which the site would write text unreadably (WCAG AA, 4.5:1): white on the main colour
    (header, buttons); on the accent colour (call-to-action links) the better of white and the site's dark text
    (`text_on`). None: unchanged."""
    errors: dict[str, list[str]] = {}
    if primary is not None and not readable(text=WHITE, background=primary):
        errors["primary_color"] = [_(
            "White text (header, buttons) on %(colour)s has a contrast of %(ratio)s:1, below the 4.5:1 WCAG AA asks "
            "for: choose a darker main colour.") % {"colour": primary,
                                                      "ratio": _shown(contrast_ratio(WHITE, primary))}]
    if accent is not None and not readable(text=text_on(accent), background=accent):
        errors["accent_color"] = [_(
            "Neither white nor dark text is readable on %(colour)s (best contrast %(ratio)s:1, below the 4.5:1 WCAG "
            "AA asks for): choose a lighter or a darker accent colour.") % {
                "colour": accent, "ratio": _shown(contrast_ratio(text_on(accent), accent))}]
    return errors


def _branding_state(branding: Branding, *, language: str) -> dict[str, object]:
    """What the audit log keeps of a branding change (issue 13): each field, the logo as its upload id, and the
    organisation's language (kept on its tenant row)."""
    return {"name": branding.name, "primary_color": branding.primary_color, "accent_color": branding.accent_color,
            "default_language": language, "email_sender_name": branding.email_sender_name,
            "logo_upload_id": branding.logo_id}


@transaction.atomic
def branding_update(*, actor: User, name: str | None = None, primary_color: str | None = None,
                    accent_color: str | None = None, default_language: str | None = None,
                    logo_upload_id: int | None = None, logo_remove: bool = False,
                    email_sender_name: str | None = None) -> Branding:
    """Change the organisation's look. Refuses, with one message per field in the error's `details`, a colour that
    is not #rrggbb, a new colour on which text would be unreadable (`_contrast_errors`; a colour not sent is not
    checked again), an unknown language and a sender name that is no plain text. A change is audited
    `branding.updated` with the fields changed, before and after (the organisation's audit log shows it)."""
    if actor.role != User.Role.ADMINISTRATOR:
        raise ForbiddenError(_("Only administrators change the branding."))
    branding, _created = Branding.objects.select_for_update().get_or_create(pk=1)
    language = tenant_default_language()
    before = _branding_state(branding, language=language)
    errors: dict[str, list[str]] = {}
    for attr, value in (("primary_color", primary_color), ("accent_color", accent_color)):
        if value is not None:
            if not isinstance(value, str) or not _HEX.fullmatch(value):  # `$` would accept "#aabbcc\n"
                errors[attr] = [_("Use a colour like #1d4ed8.")]
            else:
                setattr(branding, attr, value.lower())
    if not errors:
        errors.update(_contrast_errors(primary=branding.primary_color if primary_color is not None else None,
                                       accent=branding.accent_color if accent_color is not None else None))
    if default_language is not None:
        if default_language not in LANGUAGE_CODES:
            errors["default_language"] = [_("Use en or fr.")]
        else:
            language = default_language
    if email_sender_name is not None:
        sender = email_sender_name.strip() if isinstance(email_sender_name, str) else ""
        if not isinstance(email_sender_name, str) or _SENDER_NAME_REFUSED.search(sender):
            errors["email_sender_name"] = [_("Use plain text, without line breaks, quotes, @ or angle brackets.")]
        elif len(sender) > SENDER_NAME_MAX:
            errors["email_sender_name"] = [_("Use %(max)d characters at most.") % {"max": SENDER_NAME_MAX}]
        else:
            branding.email_sender_name = sender
    if errors:
        raise ApplicationError(_("The branding is not valid."), code=Code.VALIDATION_ERROR, details=errors)
    if name is not None:
        branding.name = name.strip()[:200]
    old_logo = branding.logo
    if logo_upload_id is not None:
        upload = MediaUpload.objects.filter(pk=logo_upload_id, purpose=MediaUpload.Purpose.LOGO,
                                            confirmed_at__isnull=False).first()
        if upload is None:
            raise UploadRefusedError(_("This logo upload does not exist or was not confirmed."))
        branding.logo = upload
    elif logo_remove:
        branding.logo = None
    branding.save()
    if language != before["default_language"]:
        import_string(settings.TENANT_LANGUAGE_WRITER)(schema_name=connection.schema_name, language=language)
    after = _branding_state(branding, language=language)
    changed = sorted(key for key in after if after[key] != before[key])
    if changed:  # saving the form unchanged is no event
        audit_record(action="branding.updated", actor=actor, schema_name=connection.schema_name, target=branding,
                     before={key: before[key] for key in changed}, after={key: after[key] for key in changed})
    if old_logo is not None and branding.logo_id != old_logo.pk:
        from .media import media_delete  # media needs the organisation's name from here: import at call time

        media_delete(upload=old_logo)
    return branding


def tenant_slug_current() -> str:
    """The organisation's slug: the request's tenant's, else (tasks, scripts: a schema without its tenant
    object) read by value, courses never importing the tenants app (SPEC §2). No query per row of a list."""
    slug = getattr(getattr(connection, "tenant", None), "slug", None)
    if slug and getattr(connection.tenant, "schema_name", None) == connection.schema_name:
        return str(slug)
    return import_string(settings.TENANT_ROW_READER)(schema_name=connection.schema_name, fields=("slug",))["slug"]
