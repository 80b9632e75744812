"""`{% organisation_node tenant %}`: the organisation page's block saying which database node holds the
tenant's data, with the move action (issue 16). Nothing on one PostgreSQL."""

from __future__ import annotations

from typing import Any

from django import template

from tenants import selectors as tenants_selectors

register = template.Library()


@register.inclusion_tag("console/node_block.html")
def organisation_node(tenant: Any) -> dict[str, Any]:
    workers = tenants_selectors.database_workers()
    node = tenants_selectors.tenant_database_node(tenant=tenant) if workers else None
    return {"tenant": tenant, "node": node, "workers": workers}
