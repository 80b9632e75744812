"""Every console action writes an audit event with the operator and the client address (issue 12 item 5 and
"Done when"). The actions are enumerated from the console's URLconf and its action tables: a route or an action
added later fails `test_every_console_post_action_has_a_scenario` until it has a scenario here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import override_settings

from console import urls as console_urls
from console.models import ApprovalRequest
from console.views.organisations import ACTIONS, DOMAIN_ACTIONS
from console.views.quotes import QUOTE_ACTIONS
from maintenance.models import MaintenanceWindow
from mooc_platform.accounts.models import User
from tenants.models import AuditEvent, CustomDomain, Tenant
from tenants.services import custom_domain_request, tenant_suspend, tenant_terminate
from tests.factories import MaintenanceWindowFactory, PlanFactory
from tests.helpers import console_client
from tests.invoicing.helpers import paris, sign, unique_slug
from tests.maintenance.helpers import MARCH_SAT_NOON

IP = "192.0.2.44"
OPERATOR = "operator@demo.test"

# Console routes that change nothing an operator acts on: pages, lists, downloads, and the language preference.
READ_ONLY = {"dashboard", "organisations", "organisation", "approvals", "invoices", "quotes", "quote",
             "maintenance-windows", "maintenance-window", "invoice-pdf", "claims", "plans", "language"}
# The sign-in steps: audited as `operator.signed_in` and `operator.totp_enrolled` (tests/console/test_access.py).
SIGN_IN = {"login", "otp", "otp-setup"}
# Moving a schema between Citus workers: on one PostgreSQL server there is no other node, the page only says so; the
# move and its audit event are tested on Citus (`make test-citus`).
CITUS_ONLY = {"organisation-node-move"}


@dataclass
class Scenario:
    """`prepare(ctx)` makes the world and returns (path, data, audit action expected, actor expected)."""

    prepare: Callable[[Any], tuple[str, dict[str, Any], str, str]]


def _signed(ctx: Any) -> Any:
    ctx.clock(paris(2026, 1, 15, 9))
    result = sign(ctx.quote_sent())
    ctx.clock(paris(2026, 1, 20, 9))
    return result


def _tenant(ctx: Any, **fields: Any) -> Tenant:
    return ctx.make_tenant(**fields)


def _org(action: str, data: dict[str, Any] | None = None, event: str = "", state: Callable[[Tenant], Any] | None = None,
         **fields: Any) -> Scenario:
    def prepare(ctx: Any) -> tuple[str, dict[str, Any], str, str]:
        tenant = _tenant(ctx, **fields)
        if state is not None:
            state(tenant)
        return f"/console/organisations/{tenant.pk}/{action}/", data or {}, event, OPERATOR
    return Scenario(prepare)


def _limits(ctx: Any) -> tuple[str, dict[str, Any], str, str]:
    result = _signed(ctx)
    return (f"/console/organisations/{result.tenant.pk}/limits/", {"seat_limit": "60", "storage_quota_gb": "20"},
            "quote.amendment_created", OPERATOR)


def _cancel_subscription(ctx: Any) -> tuple[str, dict[str, Any], str, str]:
    result = _signed(ctx)
    return f"/console/organisations/{result.tenant.pk}/cancel-subscription/", {}, "subscription.cancelled", OPERATOR


def _domain(action: str) -> Scenario:
    def prepare(ctx: Any) -> tuple[str, dict[str, Any], str, str]:
        tenant = _tenant(ctx, custom_domains_allowed=True)
        custom = custom_domain_request(tenant=tenant, domain=f"{unique_slug('learn')}.example")
        CustomDomain.objects.filter(pk=custom.pk).update(verified_at=datetime(2026, 1, 1, tzinfo=UTC))
        return (f"/console/organisations/{tenant.pk}/domains/{custom.pk}/{action}/", {},
                "custom_domain.approved" if action == "approve" else "custom_domain.removed", OPERATOR)
    return Scenario(prepare)


def _approval_decide(ctx: Any) -> tuple[str, dict[str, Any], str, str]:
    tenant = _tenant(ctx)
    approval = ApprovalRequest.objects.create(action="terminate", tenant=tenant, reason="Offence",
                                              requested_by_email=ctx.second_operator.email,
                                              requested_at=datetime.now(UTC))
    return f"/console/approvals/{approval.pk}/decide/", {"decision": "reject"}, "approval.rejected", OPERATOR


def _invoice(kind: str) -> Scenario:
    def prepare(ctx: Any) -> tuple[str, dict[str, Any], str, str]:
        result = _signed(ctx)
        if kind == "payment":
            return (f"/console/invoices/{result.invoice.pk}/payment/", {"amount": "10.00"},
                    "invoice.payment_recorded", OPERATOR)
        return (f"/console/invoices/{result.invoice.pk}/credit-note/", {"reason": "Wrong seats"},
                "invoice.credited", OPERATOR)
    return Scenario(prepare)


def _quote_new(ctx: Any) -> tuple[str, dict[str, Any], str, str]:
    plan = PlanFactory(code=unique_slug("plan"))
    return ("/console/quotes/new/", {
        "plan": plan.pk, "organisation_name": "IUT", "billing_address": "Orléans", "country": "FR",
        "contact_name": "Marc", "contact_email": "marc@iut.example", "language": "fr",
        "wished_slug": unique_slug("iut"), "initial_term_months": "12"}, "quote.created", OPERATOR)


def _quote(action: str, event: str) -> Scenario:
    def prepare(ctx: Any) -> tuple[str, dict[str, Any], str, str]:
        return f"/console/quotes/{ctx.quote_sent().pk}/{action}/", {}, event, OPERATOR
    return Scenario(prepare)


def _provision(ctx: Any) -> tuple[str, dict[str, Any], str, str]:
    plan = PlanFactory(code=unique_slug("plan"))
    slug = unique_slug("pilot")
    ctx.made.append(slug)
    return ("/console/organisations/new/", {"name": "Pilot", "slug": slug, "plan": plan.pk,
                                            "admin_email": f"admin@{slug}.example", "language": "en"},
            "tenant.provisioned", OPERATOR)


def _window(action: str) -> Scenario:
    def prepare(ctx: Any) -> tuple[str, dict[str, Any], str, str]:
        ctx.clock(paris(2027, 3, 20))
        if action == "new":
            return ("/console/maintenance-windows/new/", {
                "start": "2027-03-27T12:00", "end": "2027-03-27T18:00", "scope": "all", "kind": "planned",
                "reason": "Upgrade", "message_fr": "Mise à jour.", "message_en": "Upgrade."},
                "maintenance_window.scheduled", OPERATOR)
        window = MaintenanceWindowFactory(start=MARCH_SAT_NOON)
        if action == "move":
            return (f"/console/maintenance-windows/{window.pk}/move/",
                    {"start": "2027-04-03T12:00", "end": "2027-04-03T14:00", "confirm": "1"},
                    "maintenance_window.moved", OPERATOR)
        return f"/console/maintenance-windows/{window.pk}/cancel/", {}, "maintenance_window.cancelled", OPERATOR
    return Scenario(prepare)


def _claim(action: str) -> Scenario:
    def prepare(ctx: Any) -> tuple[str, dict[str, Any], str, str]:
        from claims import services as claims_services
        from tests.claims.helpers import administrator_of

        claim = claims_services.claim_file(tenant=ctx.demo, actor=administrator_of(ctx.demo), category="other",
                                           event_at=datetime.now(UTC) - timedelta(hours=1), subject="s", body="b")
        data = ({"action": "reply", "body": "We are on it.", "status": "answered"} if action == "reply"
                else {"action": "status", "status": "in_progress"})
        return (f"/console/claims/{claim.pk}/", data,
                "claim.replied" if action == "reply" else "claim.status_changed", OPERATOR)
    return Scenario(prepare)


def _plan_retire(ctx: Any) -> tuple[str, dict[str, Any], str, str]:
    plan = PlanFactory(code=unique_slug("plan"))
    return f"/console/plans/{plan.pk}/retire/", {"reason": "End of the line"}, "plan.retired", OPERATOR


def _proceedings_opened(tenant: Tenant) -> None:
    from invoicing.services import collective_proceedings_open

    collective_proceedings_open(tenant=tenant, kind="safeguard", actor=None)


def _terms(ctx: Any) -> tuple[str, dict[str, Any], str, str]:
    version = unique_slug("GCS")[:40]
    return ("/console/terms/", {"version": version, "text_fr": "Conditions.", "text_en": "Terms.", "confirm": "yes"},
            "terms.published", OPERATOR)


def _recovery_codes(ctx: Any) -> tuple[str, dict[str, Any], str, str]:
    return "/console/otp/recovery-codes/", {}, "operator.recovery_codes_issued", OPERATOR


def _retention(tenant: Tenant) -> None:
    tenant_terminate(tenant=tenant, reason="Offence", now=datetime.now(UTC) - timedelta(days=400))


SCENARIOS: dict[str, Scenario] = {
    "organisation-new": Scenario(_provision),
    "organisation-action:suspend": _org("suspend", {"reason": "Breach"}, "tenant.suspended"),
    "organisation-action:reinstate": _org("reinstate", {}, "tenant.reinstated",
                                          state=lambda t: tenant_suspend(tenant=t, reason="x")),
    "organisation-action:terminate": _org("terminate", {"reason": "Offence"}, "approval.requested"),
    "organisation-action:purge": _org("purge", {"reason": "Over"}, "approval.requested", state=_retention),
    "organisation-action:resend-invitation": _org("resend-invitation", {}, "user.invitation_resent",
                                                  passwords=False),
    "organisation-action:lift-termination": _org("lift-termination", {"reason": "Court"},
                                                 "tenant.termination_lifted", state=_retention),
    "organisation-action:rename": _org("rename", {"name": "Renamed"}, "tenant.renamed"),
    "organisation-action:limits": Scenario(_limits),
    "organisation-action:cancel-subscription": Scenario(_cancel_subscription),
    "domain-action:approve": _domain("approve"),
    "domain-action:remove": _domain("remove"),
    "approval-decide": Scenario(_approval_decide),
    "invoice-payment": _invoice("payment"),
    "invoice-credit-note": _invoice("credit-note"),
    "quote-new": Scenario(_quote_new),
    "quote-action:send": _quote("send", "quote.sent"),
    "quote-action:withdraw": _quote("withdraw", "quote.withdrawn"),
    "quote-action:revise": _quote("revise", "quote.superseded"),
    "quote-action:pro-forma": _quote("pro-forma", "invoice.pro_forma_issued"),
    "maintenance-window-new": _window("new"),
    "maintenance-window-move": _window("move"),
    "maintenance-window-cancel": _window("cancel"),
    "recovery-codes": Scenario(_recovery_codes),
    "plan-retire": Scenario(_plan_retire),
    "terms": Scenario(_terms),
    "organisation-action:proceedings-open": _org("proceedings-open", {"kind": "safeguard", "reference": "TC Tours"},
                                                 "customer.collective_proceedings_opened"),
    "organisation-action:proceedings-close": _org("proceedings-close", {}, "customer.collective_proceedings_closed",
                                                  state=_proceedings_opened),
    "claim:reply": _claim("reply"),
    "claim:status": _claim("status"),
}
# Actions spread over one route, by the name of its `action` parameter.
# (The claim page posts its forms with an `action` field: reply, status.)
ACTION_TABLES = {"organisation-action": ACTIONS, "domain-action": DOMAIN_ACTIONS, "quote-action": QUOTE_ACTIONS,
                 "claim": ("reply", "status")}


def test_every_console_post_action_has_a_scenario() -> None:
    expected = set()
    for pattern in console_urls.urlpatterns:
        if pattern.name in READ_ONLY | SIGN_IN | CITUS_ONLY:
            continue
        table = ACTION_TABLES.get(pattern.name)
        expected |= {f"{pattern.name}:{action}" for action in table} if table else {pattern.name}
    assert set(SCENARIOS) == expected


class Ctx:
    def __init__(self, **fixtures: Any) -> None:
        self.__dict__.update(fixtures)
        self.made: list[str] = []


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@override_settings(CONSOLE_FOUR_EYES_ACTIONS=["terminate", "purge"])
def test_every_console_action_is_audited_with_the_operator_and_the_client_address(
        name, demo, make_tenant, quote_sent, clock, second_operator, django_capture_on_commit_callbacks) -> None:
    ctx = Ctx(make_tenant=make_tenant, quote_sent=quote_sent, clock=clock, second_operator=second_operator, demo=demo)
    path, data, action, actor = SCENARIOS[name].prepare(ctx)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    client = console_client(actor, REMOTE_ADDR=IP)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, data)
    assert response.status_code in (200, 302), (name, response.status_code, response.content.decode()[:2000])
    new = AuditEvent.objects.exclude(pk__in=before)
    assert new.exists(), name
    assert {event.ip_address for event in new} == {IP}, (name, list(new.values("action", "ip_address")))
    mine = new.filter(action=action)
    assert mine.count() == 1, (name, list(new.values_list("action", flat=True)))
    assert mine.get().actor_email == actor
    assert User.objects.filter(email=actor).exists()
    for slug in ctx.made:  # provisioned here: a real schema, dropped with the test transaction
        assert Tenant.objects.filter(slug=slug).exists()
    if name == "maintenance-window-cancel":
        assert MaintenanceWindow.objects.get().status == "cancelled"
