"""CSV import of users with a preview (SPEC R2): each good row applied, bad rows reported."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from courses.errors import Code
from mooc_platform.accounts.models import User
from mooc_platform.accounts.services import user_invitation_send
from mooc_platform.errors import ApplicationError
from mooc_platform.events import event_emit, user_event_data
from mooc_platform.i18n import LANGUAGE_CODES

from .branding import tenant_default_language, tenant_limits
from .people import TENANT_ROLES, last_administrator_message, seats_taken, user_role_change


@dataclass
class ImportRow:
    line: int
    email: str
    action: str  # create | update | unchanged | error
    role: str = ""
    full_name: str = ""
    language: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[ImportRow]
    applied: bool

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def summary(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("create", "update", "unchanged", "error")}


CSV_COLUMNS = ("email", "full_name", "role", "language")


_ROLE_ALIASES = {"admin": "administrator", "administrateur": "administrator", "formateur": "instructor",
                 "apprenant": "learner", "enseignant": "instructor"}


def _csv_rows(csv_text: str) -> list[tuple[int, dict[str, str]]]:
    text = csv_text.lstrip("\ufeff")
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    if "\x00" in text:
        raise ApplicationError(_("This file is not a text CSV file."), code=Code.CSV_INVALID)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        headers = [h.strip().lower() for h in next(reader, [])]
        if "email" not in headers:
            raise ApplicationError(_("The CSV file needs a header line with at least an 'email' column "
                                   "(columns: email, full_name, role, language)."), code=Code.CSV_INVALID)
        for record in reader:
            clean = {name: value.strip() for name, value in zip(headers, record, strict=False) if name}
            if any(clean.values()):
                rows.append((reader.line_num, clean))
    except csv.Error as exc:
        raise ApplicationError(_("The CSV file cannot be read: %(error)s.") % {"error": exc},
                               code=Code.CSV_INVALID) from exc
    return rows


def _import_plan(csv_text: str, *, seats_available: int, lock: bool = False) -> list[ImportRow]:
    rows = _csv_rows(csv_text)
    emails = {r.get("email", "").lower() for _line, r in rows}
    existing = {u.email: u for u in User.objects.filter(email__in=emails)}
    # The active administrators after each row, in file order: a row that would leave none is refused
    # (issue 9 item 9); `lock` holds their rows until the import commits.
    admins = User.objects.filter(role=User.Role.ADMINISTRATOR, is_active=True)
    administrators = set((admins.select_for_update() if lock else admins).values_list("email", flat=True))
    seen: set[str] = set()
    plan: list[ImportRow] = []
    for line, record in rows:
        email = record.get("email", "").lower()
        role_raw = record.get("role", "").lower() or User.Role.LEARNER
        role = _ROLE_ALIASES.get(role_raw, role_raw)
        language = record.get("language", "").lower()
        row = ImportRow(line=line, email=email, action="error", role=role, full_name=record.get("full_name", ""),
                        language=language)
        try:
            validate_email(email)
        except ValidationError:
            row.errors.append({"code": Code.INVALID_EMAIL, "message": "Not a valid e-mail address."})
        if role not in TENANT_ROLES:
            row.errors.append({"code": Code.UNKNOWN_ROLE,
                               "message": f"Unknown role {role_raw!r}: administrator, instructor or learner."})
        if language and language not in LANGUAGE_CODES:
            row.errors.append({"code": Code.UNKNOWN_LANGUAGE, "message": "Language must be en or fr."})
        if email in seen:
            row.errors.append({"code": Code.DUPLICATE, "message": "This e-mail appears earlier in the file."})
        seen.add(email)
        if not row.errors:
            user = existing.get(email)
            if user is None:
                if seats_available <= 0:
                    row.errors.append({"code": Code.SEAT_LIMIT_REACHED,
                                       "message": "No seat left in the subscription for a new active user."})
                else:
                    seats_available -= 1
                    row.action = "create"
            else:
                wanted = {"role": role, "full_name": row.full_name or user.full_name,
                          "language": language or user.language}
                row.changes = {k: {"from": getattr(user, k), "to": v} for k, v in wanted.items()
                               if getattr(user, k) != v}
                row.action = "update" if row.changes else "unchanged"
                if (user.is_active and user.role == User.Role.ADMINISTRATOR and role != User.Role.ADMINISTRATOR
                        and not administrators - {email}):
                    row.action = "error"
                    row.errors.append({"code": Code.LAST_ADMINISTRATOR,
                                       "message": last_administrator_message(email=email)})
        if not row.errors and role == User.Role.ADMINISTRATOR:
            administrators.add(email)
        elif not row.errors:
            administrators.discard(email)
        plan.append(row)
    return plan


def users_import_preview(*, csv_text: str) -> ImportReport:
    """What applying the file would do, row by row; changes nothing."""
    limits = tenant_limits()
    return ImportReport(rows=_import_plan(csv_text, seats_available=limits.seat_limit - seats_taken()),
                        applied=False)


def users_import_apply(*, csv_text: str, actor: User) -> ImportReport:
    """Apply the file (SPEC R2): each good row in its own savepoint, bad rows reported and skipped,
    new users invited by e-mail. Re-importing the same file changes nothing."""
    with transaction.atomic():
        limits = tenant_limits(for_update=True)
        plan = _import_plan(csv_text, seats_available=limits.seat_limit - seats_taken(), lock=True)
        for row in plan:
            if row.action not in ("create", "update"):
                continue
            try:
                with transaction.atomic():
                    if row.action == "create":
                        user = User.objects.create_user(row.email, None, role=row.role, full_name=row.full_name,
                                                        language=row.language or tenant_default_language())
                        user_invitation_send(user=user)
                        event_emit(event_type="user.created", data={"user": user_event_data(user)})
                    else:
                        updates = {k: v["to"] for k, v in row.changes.items()}
                        if "role" in updates:  # checked and audited like any role change
                            user_role_change(user=User.objects.get(email=row.email), role=updates.pop("role"),
                                             actor=actor)
                        if updates:
                            User.objects.filter(email=row.email).update(**updates)
            except ApplicationError as exc:
                row.action = "error"
                row.errors.append({"code": exc.code, "message": exc.message})
            except Exception as exc:  # a bad row never blocks the good ones
                row.action = "error"
                row.errors.append({"code": Code.ROW_FAILED, "message": str(exc)[:200]})
    return ImportReport(rows=plan, applied=True)
