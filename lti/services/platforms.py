"""The tool's keys and the platform registrations kept by the organisation's administrators."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record

from ..crypto import key_pair_generate, private_key_encrypt, public_jwk
from ..errors import Code, LtiPlatformError
from ..models import LtiPlatform, LtiToolKey

URL_FIELDS = ("auth_login_url", "auth_token_url", "key_set_url")


@transaction.atomic
def tool_key_ensure() -> LtiToolKey:
    """The organisation's active signing key, created on first use (one at a time: a transaction lock)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"lti-key:{connection.schema_name}"])
    key = LtiToolKey.objects.filter(is_active=True).first()
    if key is not None:
        return key
    private_pem, public_pem = key_pair_generate()
    return LtiToolKey.objects.create(kid=public_jwk(public_pem)["kid"], public_key_pem=public_pem,
                                     private_key_encrypted=private_key_encrypt(private_pem))


def _url_check(value: str, field: str, errors: dict[str, list[str]]) -> str:
    value = (value or "").strip()
    parts = urlsplit(value)
    plain_allowed = settings.DEBUG or getattr(settings, "LTI_ALLOW_HTTP", False)
    if parts.scheme not in (("https", "http") if plain_allowed else ("https",)) or not parts.hostname:
        errors.setdefault(field, []).append(_("Enter an address starting with https://."))
    return value


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {"name": (data.get("name") or "").strip(), "issuer": (data.get("issuer") or "").strip(),
                             "client_id": (data.get("client_id") or "").strip(),
                             "auth_audience": (data.get("auth_audience") or "").strip(),
                             "match_by_email": bool(data.get("match_by_email")),
                             "is_active": bool(data.get("is_active", True))}
    for field in ("name", "issuer", "client_id"):
        if not clean[field]:
            errors.setdefault(field, []).append(_("This field is required."))
    for field in URL_FIELDS:
        clean[field] = _url_check(data.get(field) or "", field, errors)
    deployments = data.get("deployment_ids") or []
    if isinstance(deployments, str):
        deployments = deployments.replace(",", "\n").splitlines()
    clean["deployment_ids"] = sorted({str(d).strip() for d in deployments if str(d).strip()})
    if not clean["deployment_ids"]:
        errors.setdefault("deployment_ids", []).append(_("Give at least one deployment ID."))
    if errors:
        raise LtiPlatformError(_("The registration is not valid: correct the fields shown."), details=errors)
    return clean


def _snapshot(platform: LtiPlatform) -> dict[str, Any]:
    return {"name": platform.name, "issuer": platform.issuer, "client_id": platform.client_id,
            "deployment_ids": platform.deployment_ids, "is_active": platform.is_active}


def _unique_check(clean: dict[str, Any], exclude: int | None = None) -> None:
    others = LtiPlatform.objects.filter(issuer=clean["issuer"], client_id=clean["client_id"]).exclude(pk=exclude)
    if others.exists():
        raise LtiPlatformError(_("A platform with this issuer and client ID is already registered."),
                               code=Code.LTI_PLATFORM_EXISTS,
                               details={"client_id": [_("Already registered for this issuer.")]})


@transaction.atomic
def lti_platform_create(*, data: dict[str, Any], actor: User) -> LtiPlatform:
    clean = _clean(data)
    _unique_check(clean)
    tool_key_ensure()
    platform = LtiPlatform.objects.create(**clean)
    audit_record(action="lti_platform.created", actor=actor, schema_name=connection.schema_name, target=platform,
                 after=_snapshot(platform))
    return platform


@transaction.atomic
def lti_platform_update(*, platform: LtiPlatform, data: dict[str, Any], actor: User) -> LtiPlatform:
    platform = LtiPlatform.objects.select_for_update().get(pk=platform.pk)
    before = _snapshot(platform)
    clean = _clean(data)
    _unique_check(clean, exclude=platform.pk)
    for field, value in clean.items():
        setattr(platform, field, value)
    platform.save()
    audit_record(action="lti_platform.updated", actor=actor, schema_name=connection.schema_name, target=platform,
                 before=before, after=_snapshot(platform))
    return platform


@transaction.atomic
def lti_platform_delete(*, platform: LtiPlatform, actor: User) -> None:
    """Forget a platform with its user links, resource links and scores (the accounts stay)."""
    audit_record(action="lti_platform.deleted", actor=actor, schema_name=connection.schema_name, target=platform,
                 before=_snapshot(platform))
    platform.delete()
