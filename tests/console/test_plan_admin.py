"""The plan records under the console's admin: added and renamed with an audit event, never deleted, and never
retired by a checkbox (retirement is /console/plans/<id>/retire/, with six months' notice: SPEC R24)."""

from __future__ import annotations

from invoicing.models import Plan
from tenants.models import AuditEvent
from tests.factories import PlanFactory
from tests.helpers import console_client
from tests.invoicing.helpers import unique_slug

IP = "192.0.2.45"


def _form(plan: Plan | None = None, **fields: str) -> dict[str, str]:
    data = {"prices-TOTAL_FORMS": "0", "prices-INITIAL_FORMS": "0", "prices-MIN_NUM_FORMS": "0",
            "prices-MAX_NUM_FORMS": "1000"}
    data.update(fields)
    return data


def test_adding_and_renaming_a_plan_is_audited_with_the_operator_and_address(db) -> None:
    client = console_client(REMOTE_ADDR=IP)
    code = unique_slug("plan")
    response = client.post("/console/invoicing/plan/add/", _form(code=code, name="Campus"))
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = Plan.objects.get(code=code)
    created = AuditEvent.objects.get(action="plan.created", target_id=str(plan.pk))
    assert (created.actor_email, created.ip_address) == ("operator@demo.test", IP)

    response = client.post(f"/console/invoicing/plan/{plan.pk}/change/", _form(name="Campus+", is_active=""))
    assert response.status_code == 302, response.content.decode()[:3000]
    plan.refresh_from_db()
    assert plan.name == "Campus+"
    assert plan.is_active  # the checkbox is read-only: a plan is retired through its confirmation page only
    renamed = AuditEvent.objects.get(action="plan.renamed", target_id=str(plan.pk))
    assert renamed.before == {"name": "Campus"} and renamed.after["name"] == "Campus+"


def test_a_plan_cannot_be_deleted_from_the_console(db) -> None:
    plan = PlanFactory(code=unique_slug("plan"))
    client = console_client()
    assert client.get(f"/console/invoicing/plan/{plan.pk}/delete/").status_code == 403
    assert client.post(f"/console/invoicing/plan/{plan.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Plan.objects.filter(pk=plan.pk).exists()
