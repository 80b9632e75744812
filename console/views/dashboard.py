"""The console's home: the business at a glance."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from claims import selectors as claims_selectors
from invoicing import selectors as invoicing_selectors
from mooc_platform.business_time import business_date
from tenants.models import Tenant

from .. import selectors
from ..charts import trend_svg
from ..security import operator_required


@operator_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    today = business_date(now)
    revenue = selectors.revenue_summary(today=today)
    storage_summary = selectors.storage_summary()
    return render(request, "console/dashboard.html", {
        "by_state": [(state, Tenant.State(state).label, count)
                     for state, count in selectors.tenants_count_by_state().items()],
        "revenue": revenue,
        "chart": trend_svg(points=revenue.trend, title=_("Monthly recurring revenue, last 12 months (EUR excl. tax)")),
        "overdue": selectors.overdue_by_age(today=today),
        "suspended": selectors.tenants_suspended()[:20],
        "due_for_destruction": selectors.tenants_due_for_destruction(now=now)[:20],
        "storage": storage_summary,
        "windows": selectors.maintenance_windows_ahead(now=now),
        "events": selectors.audit_events_recent(),
        "approvals": selectors.approvals_pending()[:10],
        "credit_notes_proposed": invoicing_selectors.invoices_credit_note_proposed()[:20],
        "now": now,
        "claims_open": claims_selectors.claims_open_count_all_tenants(),
    })


# --- Organisations ---------------------------------------------------------------------------------------
