"""Where an organisation's data lives on a Citus cluster, and moving it to another worker (issue 16).

The organisation page shows the node through `{% organisation_node tenant %}` (templatetags/placement.py);
the move is a confirmation page here, then `tenants.services.tenant_node_move` (audited)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mooc_platform.errors import ApplicationError
from tenants import selectors as tenants_selectors
from tenants import services as tenants_services

from ..security import operator_required
from .common import _posted
from .organisations import _tenant_of


class NodeMoveForm(forms.Form):
    node = forms.ChoiceField(label=gettext_lazy("Move to worker"))

    def __init__(self, *args: object, nodes: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["node"].choices = [(node, node) for node in nodes]


@transaction.non_atomic_requests
@operator_required
def organisation_node_move(request: HttpRequest, pk: int) -> HttpResponse:
    tenant = _tenant_of(pk)
    current = tenants_selectors.tenant_database_node(tenant=tenant)
    others = [str(node) for node in tenants_selectors.database_workers() if node != current]
    form = NodeMoveForm(_posted(request), nodes=others)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                moved_to = tenants_services.tenant_node_move(tenant=tenant, node=form.cleaned_data["node"],
                                                             actor=request.user)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
                status = exc.status_code if 400 <= exc.status_code < 500 else 409
            else:
                messages.success(request, _("%(name)s's data is now on %(node)s.") % {
                    "name": tenant.name, "node": moved_to})
                return redirect(f"/console/organisations/{tenant.pk}/")
        else:
            status = 400
    if current is None:
        consequence = _("This organisation's data is on the platform's one PostgreSQL server: there is no other "
                        "node to move it to.")
    else:
        consequence = _("The schema %(schema)s of %(name)s is copied from %(node)s to the chosen worker while it "
                        "keeps serving; writes pause for a moment at the switch. The move is recorded in the "
                        "audit log.") % {"schema": tenant.schema_name, "name": tenant.name, "node": current}
    return render(request, "console/node_move.html", {
        "tenant": tenant, "current": current, "form": form, "consequence": consequence,
        "can_move": bool(current and others)}, status=status)
