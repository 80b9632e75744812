"""Writes on maintenance windows (SPEC R16–R18, GCS art. 8). Each state change is one function under
`transaction.atomic` that takes the acting user and writes one audit event."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenance.errors import Code
from mooc_platform.audit import audit_record
from mooc_platform.emails import email_send
from mooc_platform.errors import ApplicationError, ConflictError
from mooc_platform.events import event_emit
from mooc_platform.i18n import language_supported
from tenants.models import Tenant
from tenants.selectors import tenant_administrator_emails

from . import state
from .models import HealthProbeState, Incident, MaintenanceNotice, MaintenanceWindow
from .rules import (
    MIN_NOTICE,
    REMINDER_BEFORE,
    BrokenRule,
    as_utc,
    duration_text,
    interruption_rules_check,
    planned_window_rules_check,
    window_times_check,
)
from .selectors import (
    maintenance_planned_windows_adjoining,
    maintenance_quiz_deadlines_between,
    maintenance_window_tenants,
)

logger = logging.getLogger(__name__)


class MaintenanceRuleError(ApplicationError):
    """A window breaks GCS art. 8. `code` names the first broken rule; `details.broken_rules` lists all."""

    code = Code.MAINTENANCE_RULE_BROKEN

    @classmethod
    def from_rules(cls, broken: list[BrokenRule], **details: Any) -> MaintenanceRuleError:
        return cls(" ".join(rule.message for rule in broken), code=broken[0].code,
                   details={"broken_rules": [rule.as_dict() for rule in broken], **details})


class JustificationRequiredError(ApplicationError):
    code = Code.MAINTENANCE_JUSTIFICATION_REQUIRED


class ScopeInvalidError(ApplicationError):
    code = Code.MAINTENANCE_SCOPE_INVALID


class WindowNotScheduledError(ConflictError):
    code = Code.MAINTENANCE_WINDOW_NOT_SCHEDULED


def _snapshot(window: MaintenanceWindow) -> dict[str, Any]:
    return {
        "start": window.start.isoformat(), "end": window.end.isoformat(), "scope": window.scope,
        "kind": window.kind, "status": window.status, "revision": window.revision,
        "tenants": sorted(window.tenants.values_list("slug", flat=True)) if window.pk else [],
        "quiz_deadlines_affected": window.quiz_deadlines_affected,
    }


def planned_interruptions_check(*, start: datetime, end: datetime, scope: str, tenants: Iterable[Tenant] = (),
                                exclude_id: int | None = None) -> tuple[list[BrokenRule], list[str] | str]:
    """GCS art. 8 per organisation (issue 9 item 6): for every organisation a planned window from `start` to
    `end` covers, that window and the organisation's other planned windows it overlaps or touches make one
    interruption of at most 24 hours, starting on a Saturday at or after 12:00. Returns the broken rules and
    the organisations concerned (slugs, or "all" when the windows for every organisation already break it)."""
    others = maintenance_planned_windows_adjoining(start=start, end=end, exclude_id=exclude_id)
    shared = [(w.start, w.end) for w in others if w.scope == MaintenanceWindow.Scope.ALL]
    selected: dict[int, tuple[Tenant, list[tuple[datetime, datetime]]]] = {}
    for window in others:
        if window.scope == MaintenanceWindow.Scope.SELECTED:
            for tenant in window.tenants.all():
                selected.setdefault(tenant.id, (tenant, []))[1].append((window.start, window.end))
    if scope == MaintenanceWindow.Scope.ALL:
        broken = interruption_rules_check(start=start, end=end, others=shared, who=_("every organisation"))
        if broken:
            return broken, "all"
        groups = list(selected.values())
    else:
        groups = [selected.get(tenant.id, (tenant, [])) for tenant in tenants]
    by_code: dict[str, list[BrokenRule]] = {}
    concerned: list[str] = []
    for tenant, own in sorted(groups, key=lambda group: group[0].slug):
        rules = interruption_rules_check(start=start, end=end, others=shared + own,
                                         who=f"{tenant.name} ({tenant.slug})")
        for rule in rules:
            by_code.setdefault(rule.code, []).append(rule)
        if rules:
            concerned.append(tenant.slug)
    broken = [BrokenRule(code, " ".join(rule.message for rule in rules)) for code, rules in by_code.items()]
    return broken, concerned


def _quiz_deadlines_affected(*, window: MaintenanceWindow) -> list[dict[str, Any]]:
    """The quiz deadlines inside the window, for the operator (issue 9 item 6)."""
    return maintenance_quiz_deadlines_between(tenants=list(maintenance_window_tenants(window=window)),
                                              start=window.start, end=window.end)


def maintenance_window_rules_check(*, kind: str, start: datetime, end: datetime, scope: str,
                                   tenants: Iterable[Tenant] = (), justification: str = "",
                                   exclude_id: int | None = None, now: datetime | None = None
                                   ) -> tuple[list[BrokenRule], list[str] | str]:
    """Every rule a window from `start` to `end` breaks, without writing anything: the console shows them
    all before the operator confirms, and the services refuse on the same answer (SPEC R16, R17). Returns
    the broken rules and the organisations concerned by the per-organisation rule (slugs, or "all")."""
    now, start, end = as_utc(now or timezone.now()), as_utc(start), as_utc(end)
    if kind == MaintenanceWindow.Kind.EMERGENCY:
        broken = window_times_check(start=start, end=end, now=now)
        if not justification.strip():
            broken.insert(0, BrokenRule(
                Code.MAINTENANCE_JUSTIFICATION_REQUIRED,
                _("An emergency window may break the maintenance rules only with a written justification "
                  "(data at risk, GCS art. 8).")))
        return broken, []
    broken = planned_window_rules_check(start=start, end=end, now=now)
    concerned: list[str] | str = []
    if end > start:
        joined, concerned = planned_interruptions_check(start=start, end=end, scope=scope, tenants=tenants,
                                                        exclude_id=exclude_id)
        known = {rule.code for rule in broken}
        broken += [rule for rule in joined if rule.code not in known]
    return broken, concerned


def _rules_enforce(*, kind: str, start: datetime, end: datetime, justification: str, now: datetime,
                   scope: str, tenants: Iterable[Tenant] = (), exclude_id: int | None = None) -> None:
    if kind == MaintenanceWindow.Kind.EMERGENCY and not justification.strip():
        raise JustificationRequiredError(
            _("An emergency window may break the maintenance rules only with a written justification "
              "(data at risk, GCS art. 8)."),
            details={"broken_rules": [{"code": Code.MAINTENANCE_JUSTIFICATION_REQUIRED,
                                        "message": "Justification is empty."}]},
        )
    broken, concerned = maintenance_window_rules_check(kind=kind, start=start, end=end, scope=scope,
                                                       tenants=tenants, justification=justification,
                                                       exclude_id=exclude_id, now=now)
    if broken:
        raise MaintenanceRuleError.from_rules(broken, start=start.isoformat(), end=end.isoformat(),
                                              **({"tenants": concerned} if concerned else {}))


# One scheduler at a time: two operators scheduling touching windows at once must not both pass the 24-hour
# check per organisation (held to the end of the transaction).
_SCHEDULE_LOCK_KEY = 0x4D41494E  # "MAIN"


def _schedule_lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEDULE_LOCK_KEY])


def _after_commit(window_id: int) -> None:
    """Forget this process's cached windows and queue the notices; the beat run catches up if the
    broker is down (the notice rows make it exactly-once either way)."""

    def dispatch() -> None:
        state.maintenance_cache_clear()
        from .tasks import maintenance_notices_send

        try:
            maintenance_notices_send.delay(window_id=window_id)
        except Exception:  # the broker may be down; run_maintenance_notices sends it on its next run
            logger.exception("could not queue the notices of maintenance window %s", window_id)

    transaction.on_commit(dispatch)


def maintenance_window_schedule(
    *,
    start: datetime,
    end: datetime,
    scope: str,
    tenants: Iterable[Tenant] = (),
    reason: str,
    message_fr: str,
    message_en: str,
    emergency: bool = False,
    justification: str = "",
    actor: Any = None,
    now: datetime | None = None,
) -> MaintenanceWindow:
    """Schedule a window and announce it at once (SPEC R16, R17).

    A planned window must start on a Saturday at or after 12:00 Europe/Paris, last at most 24 hours
    and be scheduled at least 48 hours ahead; an emergency one may break those rules only with a
    written justification. Raises MaintenanceRuleError / JustificationRequiredError / ScopeInvalidError."""
    now, start, end = as_utc(now or timezone.now()), as_utc(start), as_utc(end)
    kind = MaintenanceWindow.Kind.EMERGENCY if emergency else MaintenanceWindow.Kind.PLANNED
    chosen = list(tenants) if scope == MaintenanceWindow.Scope.SELECTED else []
    if scope not in MaintenanceWindow.Scope.values:
        raise ScopeInvalidError(_("Unknown scope '%(scope)s'.") % {"scope": scope}, details={"scope": scope})
    if scope == MaintenanceWindow.Scope.SELECTED and not chosen:
        raise ScopeInvalidError(_("Choose at least one organisation, or the scope 'all'."))
    if any(t.schema_name == settings.PUBLIC_SCHEMA_NAME for t in chosen):
        raise ScopeInvalidError(_("The platform itself is not an organisation a window can be scoped to."))
    with transaction.atomic():
        _schedule_lock()
        _rules_enforce(kind=kind, start=start, end=end, justification=justification, now=now, scope=scope,
                       tenants=chosen)
        window = MaintenanceWindow.objects.create(
            start=start, end=end, scope=scope, reason=reason, message_fr=message_fr, message_en=message_en,
            kind=kind, justification=justification.strip(), announced_at=now,
            created_by_email=getattr(actor, "email", "") or "",
        )
        window.tenants.set(chosen)
        window.quiz_deadlines_affected = _quiz_deadlines_affected(window=window)
        window.save(update_fields=["quiz_deadlines_affected"])
        audit_record(action=f"maintenance_window.scheduled{'_emergency' if emergency else ''}", actor=actor,
                     target=window, after={**_snapshot(window), "justification": window.justification})
        _after_commit(window.id)
        _scheduled_emit(window=window)
    return window


def _scheduled_emit(*, window: MaintenanceWindow) -> None:
    """The `maintenance.scheduled` webhook event, to each organisation the window concerns."""
    data = {"window_id": window.pk, "kind": window.kind, "start": window.start.isoformat(),
            "end": window.end.isoformat(), "summary": window.reason}
    for schema_name in maintenance_window_tenants(window=window).values_list("schema_name", flat=True):
        event_emit(schema_name=schema_name, event_type="maintenance.scheduled", data=data)


def maintenance_window_move(
    *, window: MaintenanceWindow, start: datetime, end: datetime, actor: Any = None, now: datetime | None = None
) -> MaintenanceWindow:
    """Move a scheduled window: the rules are checked again against the new times (from `now`), and
    the window is announced again (a new revision: new notices, a new reminder)."""
    now, start, end = as_utc(now or timezone.now()), as_utc(start), as_utc(end)
    with transaction.atomic():
        _schedule_lock()
        locked = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
        if locked.status != MaintenanceWindow.Status.SCHEDULED:
            raise WindowNotScheduledError(_("A %(status)s window cannot be moved.")
                                          % {"status": str(locked.get_status_display()).lower()},
                                          details={"status": locked.status})
        _rules_enforce(kind=locked.kind, start=start, end=end, justification=locked.justification, now=now,
                       scope=locked.scope, tenants=list(locked.tenants.all()), exclude_id=locked.id)
        before = _snapshot(locked)
        locked.start, locked.end = start, end
        locked.revision += 1
        locked.announced_at = now
        locked.reminder_sent_at = None
        locked.quiz_deadlines_affected = _quiz_deadlines_affected(window=locked)
        locked.save(update_fields=["start", "end", "revision", "announced_at", "reminder_sent_at",
                                   "quiz_deadlines_affected", "updated_at"])
        audit_record(action="maintenance_window.moved", actor=actor, target=locked, before=before,
                     after=_snapshot(locked))
        _after_commit(locked.id)
    return locked


def maintenance_window_cancel(*, window: MaintenanceWindow, actor: Any = None,
                              now: datetime | None = None) -> MaintenanceWindow:
    """Cancel a scheduled window that has not ended; tenants already told receive a cancellation."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = MaintenanceWindow.objects.select_for_update().get(pk=window.pk)
        if locked.status != MaintenanceWindow.Status.SCHEDULED or locked.end <= now:
            raise WindowNotScheduledError(_("Only a scheduled window that has not ended can be cancelled."),
                                          details={"status": locked.status})
        before = _snapshot(locked)
        locked.status = MaintenanceWindow.Status.CANCELLED
        locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at", "updated_at"])
        audit_record(action="maintenance_window.cancelled", actor=actor, target=locked, before=before,
                     after=_snapshot(locked))
        _after_commit(locked.id)
    return locked


def maintenance_windows_complete(*, now: datetime | None = None) -> int:
    """Mark the scheduled windows that have ended as completed (one audit event each)."""
    now = now or timezone.now()
    done = 0
    with transaction.atomic():
        for window in MaintenanceWindow.objects.select_for_update(skip_locked=True).filter(
            status=MaintenanceWindow.Status.SCHEDULED, end__lte=now
        ):
            before = _snapshot(window)
            window.status = MaintenanceWindow.Status.COMPLETED
            window.completed_at = now
            window.save(update_fields=["status", "completed_at", "updated_at"])
            audit_record(action="maintenance_window.completed", target=window, before=before,
                         after=_snapshot(window))
            done += 1
    return done


# --- Notices (SPEC R16: e-mail to the administrators of every affected tenant) ------------------


@dataclass(frozen=True)
class NoticeDue:
    window_id: int
    tenant_id: int
    tenant_slug: str
    kind: str
    revision: int
    language: str
    recipients: tuple[str, ...]
    late: bool = False


def _notices_due(*, now: datetime, window_id: int | None = None) -> list[tuple[MaintenanceWindow, Tenant, str]]:
    """(window, tenant, kind) triples whose notice has not been sent yet at `now`."""
    windows = MaintenanceWindow.objects.filter(announced_at__isnull=False, announced_at__lte=now, end__gt=now)
    if window_id is not None:
        windows = windows.filter(id=window_id)
    due: list[tuple[MaintenanceWindow, Tenant, str]] = []
    for window in windows.order_by("start", "id"):
        sent = set(
            MaintenanceNotice.objects.filter(window=window, revision=window.revision).values_list("tenant_id", "kind")
        )
        kinds: list[str] = []
        if window.status == MaintenanceWindow.Status.SCHEDULED:
            kinds.append(MaintenanceNotice.Kind.ANNOUNCEMENT)
            announced_well_ahead = window.announced_at < window.start - REMINDER_BEFORE
            if announced_well_ahead and window.start - REMINDER_BEFORE <= now < window.start:
                kinds.append(MaintenanceNotice.Kind.REMINDER)
            tenants = list(maintenance_window_tenants(window=window))
        elif window.status == MaintenanceWindow.Status.CANCELLED:
            kinds.append(MaintenanceNotice.Kind.CANCELLATION)
            told = MaintenanceNotice.objects.filter(window=window, kind=MaintenanceNotice.Kind.ANNOUNCEMENT)
            tenants = list(Tenant.objects.filter(id__in=told.values("tenant_id")).order_by("id"))
        else:
            continue
        for tenant in tenants:
            due.extend((window, tenant, kind) for kind in kinds if (tenant.id, kind) not in sent)
    return due


def _notice_late(*, window: MaintenanceWindow, kind: str, now: datetime) -> bool:
    """The 48-hour notice of a planned window (GCS art. 8), checked when the announcement actually goes out:
    scheduling checked it against the time of scheduling, but the e-mail may leave later (broker down)."""
    return (kind == MaintenanceNotice.Kind.ANNOUNCEMENT and window.kind == MaintenanceWindow.Kind.PLANNED
            and as_utc(window.start) - as_utc(now) < MIN_NOTICE)


def _notice_send(*, window: MaintenanceWindow, tenant: Tenant, kind: str, recipients: list[str], now: datetime,
                 late: bool = False) -> bool:
    """Insert the notice row and send the e-mail in one transaction. False if another run sent it. A late
    announcement is sent all the same (told late beats not told) and leaves an audit event."""
    language = language_supported(tenant.language)
    try:
        with transaction.atomic():
            MaintenanceNotice.objects.create(window=window, tenant=tenant, kind=kind, revision=window.revision,
                                             recipients=recipients, language=language, sent_at=now, late=late)
            if late:
                audit_record(action="maintenance_window.notice_late", tenant=tenant, target=window,
                             after={"tenant": tenant.slug, "revision": window.revision, "sent_at": now.isoformat(),
                                    "notice": duration_text(as_utc(window.start) - as_utc(now))})
            email_send(to=recipients, template=f"maintenance/emails/{kind}_{language}", language=language,
                       context={"window": window, "tenant": tenant, "message": window.message(language),
                                "time_zone": settings.PLATFORM_TIME_ZONE,
                                "status_url": f"https://{settings.PLATFORM_DOMAIN}/status/"})
    except IntegrityError:
        return False
    return True


def maintenance_notices_send_due(
    *, now: datetime | None = None, dry_run: bool = False, window_id: int | None = None
) -> list[NoticeDue]:
    """Send every announcement, reminder (24 hours before) and cancellation that is due, exactly once.

    Returns what was sent (or, with `dry_run`, what would be). A notice whose sending fails is
    logged, left unsent and tried again on the next run. Also marks ended windows completed (not in a
    dry run). Safe to run concurrently: the notice's unique constraint decides who sends."""
    now = now or timezone.now()
    done: list[NoticeDue] = []
    for window, tenant, kind in _notices_due(now=now, window_id=window_id):
        recipients = tenant_administrator_emails(tenant=tenant)
        item = NoticeDue(window_id=window.id, tenant_id=tenant.id, tenant_slug=tenant.slug, kind=kind,
                         revision=window.revision, language=language_supported(tenant.language),
                         recipients=tuple(recipients), late=_notice_late(window=window, kind=kind, now=now))
        if dry_run:
            done.append(item)
            continue
        try:
            sent = _notice_send(window=window, tenant=tenant, kind=kind, recipients=recipients, now=now,
                                late=item.late)
        except Exception:  # one failing mail server answer must not hold back the other tenants' notices
            logger.exception("maintenance notice %s of window %s to %s failed; retried on the next run",
                             kind, window.id, tenant.slug)
            continue
        if sent:
            done.append(item)
            if kind == MaintenanceNotice.Kind.REMINDER:
                MaintenanceWindow.objects.filter(id=window.id, reminder_sent_at__isnull=True).update(
                    reminder_sent_at=now)
    if not dry_run and window_id is None:
        maintenance_windows_complete(now=now)
    return done


# --- Incidents (SPEC R26 — GCS art. 8, `001_…` §14) ------------------------------------------------------------


class IncidentInvalidError(ApplicationError):
    code = Code.INCIDENT_INVALID


def _incident_check(*, start: datetime, end: datetime | None, scope: str, tenants: list[Tenant], summary_fr: str,
                    summary_en: str, now: datetime) -> None:
    problems: dict[str, str] = {}
    if as_utc(start) > now:
        problems["start"] = "An incident is recorded once it has begun: its start cannot be in the future."
    if end is not None and as_utc(end) <= as_utc(start):
        problems["end"] = "The end must come after the start."
    if end is not None and as_utc(end) > now:
        problems["end"] = "The end cannot be in the future: leave it empty while the incident is in progress."
    if scope not in Incident.Scope.values:
        problems["scope"] = "The scope is 'all' or 'selected'."
    elif scope == Incident.Scope.SELECTED and not tenants:
        problems["tenants"] = _("Choose at least one organisation, or the scope 'all'.")
    if not summary_fr.strip() or not summary_en.strip():
        problems["summary"] = "The public summary is needed in French and in English."
    if problems:
        raise IncidentInvalidError(" ".join(problems.values()), details=problems)


def incident_record(*, start: datetime, end: datetime | None, scope: str, tenants: Iterable[Tenant] = (),
                    summary_fr: str, summary_en: str, force_majeure: bool, actor: Any,
                    now: datetime | None = None) -> Incident:
    """Record an unplanned incident (SPEC R26): it shows on the status page and in the iCalendar feed, and the
    availability report counts it (force majeure apart). Audited (`incident.recorded`)."""
    now = now or timezone.now()
    tenants = list(tenants)
    _incident_check(start=start, end=end, scope=scope, tenants=tenants, summary_fr=summary_fr,
                    summary_en=summary_en, now=now)
    with transaction.atomic():
        incident = Incident.objects.create(
            start=as_utc(start), end=as_utc(end) if end else None, scope=scope, summary_fr=summary_fr.strip(),
            summary_en=summary_en.strip(), force_majeure=bool(force_majeure),
            created_by_email=getattr(actor, "email", "") or "")
        if scope == Incident.Scope.SELECTED:
            incident.tenants.set(tenants)
        audit_record(action="incident.recorded", actor=actor, target=incident, after=_incident_snapshot(incident))
    return incident


def incident_update(*, incident: Incident, end: datetime | None, force_majeure: bool, summary_fr: str,
                    summary_en: str, actor: Any, now: datetime | None = None) -> Incident:
    """Close an incident in progress (its end), or correct its summary or force-majeure flag. Audited
    (`incident.updated`, before and after)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        _incident_check(start=locked.start, end=end, scope=locked.scope, tenants=list(locked.tenants.all()),
                        summary_fr=summary_fr, summary_en=summary_en, now=now)
        before = _incident_snapshot(locked)
        locked.end, locked.force_majeure = (as_utc(end) if end else None), bool(force_majeure)
        locked.summary_fr, locked.summary_en = summary_fr.strip(), summary_en.strip()
        locked.save(update_fields=["end", "force_majeure", "summary_fr", "summary_en", "updated_at"])
        audit_record(action="incident.updated", actor=actor, target=locked, before=before,
                     after=_incident_snapshot(locked))
    return locked


def _incident_snapshot(incident: Incident) -> dict[str, Any]:
    return {"start": incident.start.isoformat(), "end": incident.end.isoformat() if incident.end else None,
            "scope": incident.scope, "force_majeure": incident.force_majeure,
            "tenants": sorted(incident.tenants.values_list("slug", flat=True)) if incident.pk else []}


# --- The health probe (SPEC R26, optional: an incident opened after N failures of /healthz) ---------------------


def _health_fetch(url: str, timeout: float) -> str:
    """"" when `url` answers 200, else what went wrong."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - an operator-set http(s) URL
            return "" if response.status == 200 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:  # refused, timed out, unresolvable, malformed: all are failures
        return f"{type(exc).__name__}: {exc}"[:300]


def health_probe_run(*, now: datetime | None = None) -> str:
    """Probe MAINTENANCE_HEALTH_PROBE_URL (beat, every minute; off when empty). After
    MAINTENANCE_HEALTH_PROBE_FAILURES consecutive failures an incident is opened for all organisations, starting at
    the first failure; the next success closes it. Returns what happened ("off", "ok", "failure 2/3",
    "incident opened", "incident closed")."""
    url = getattr(settings, "MAINTENANCE_HEALTH_PROBE_URL", "")
    if not url:
        return "off"
    threshold = max(1, int(getattr(settings, "MAINTENANCE_HEALTH_PROBE_FAILURES", 3)))
    error = _health_fetch(url, float(getattr(settings, "MAINTENANCE_HEALTH_PROBE_TIMEOUT_SECONDS", 5)))
    now = now or timezone.now()
    with transaction.atomic():
        HealthProbeState.objects.get_or_create(id=1)
        probe = HealthProbeState.objects.select_for_update(of=("self",)).select_related("incident").get(id=1)
        probe.last_checked_at = now
        if not error:
            outcome = "ok"
            if probe.incident is not None and probe.incident.end is None:
                incident_update(incident=probe.incident, end=now, force_majeure=probe.incident.force_majeure,
                                summary_fr=probe.incident.summary_fr, summary_en=probe.incident.summary_en,
                                actor=None, now=now)
                outcome = "incident closed"
            probe.consecutive_failures, probe.first_failure_at, probe.last_error, probe.incident = 0, None, "", None
        else:
            probe.consecutive_failures += 1
            probe.first_failure_at = probe.first_failure_at or now
            probe.last_error = error[:300]
            outcome = f"failure {probe.consecutive_failures}/{threshold}"
            if probe.consecutive_failures >= threshold and probe.incident is None:
                probe.incident = incident_record(
                    start=probe.first_failure_at, end=None, scope=Incident.Scope.ALL, force_majeure=False, actor=None,
                    summary_en=f"The platform did not answer its health check ({error[:120]}). We are on it.",
                    summary_fr=f"La plateforme ne répond pas à son contrôle de santé ({error[:120]}). "
                               "Nous intervenons.",
                    now=now)
                outcome = "incident opened"
        probe.save()
    return outcome
