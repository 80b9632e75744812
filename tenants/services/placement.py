"""Where a tenant's data lives on a Citus cluster, and moving it to another worker (issue 16,
infra/SCALING.md). On one PostgreSQL there is one node: nothing to show, and a move is refused."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from mooc_platform.audit import audit_record
from mooc_platform.errors import ApplicationError, ConflictError
from tenants.errors import Code

from ..citus import Node, citus_enabled, schema_move, schema_nodes, worker_nodes
from ..models import Tenant


class InvalidNodeError(ApplicationError):
    code = Code.INVALID_NODE


def tenant_node_move(*, tenant: Tenant, node: str, actor: Any) -> Node:
    """Move the tenant's schema to worker `node` ("host:port") while it keeps serving (Citus copies it by
    logical replication and blocks writes only for the switch); audited with the node before and after.
    Runs outside any transaction (Citus's rule for shard moves); returns the new node."""
    if not citus_enabled():
        raise ConflictError(_("This platform runs on one PostgreSQL server: there is no other node to move to."),
                            code=Code.NOT_DISTRIBUTED)
    try:
        target = Node.parse(node)
    except ValueError:
        target = None
    if target is None or target not in worker_nodes():
        raise InvalidNodeError(_("Choose one of the cluster's workers."), details={"node": node})
    if tenant.state == Tenant.State.PURGED:
        raise ConflictError(_("This organisation's data has been destroyed: there is nothing to move."),
                            code=Code.NOT_DISTRIBUTED)
    current = schema_nodes(schema_names=[tenant.schema_name])[tenant.schema_name]
    if current is None:
        raise ConflictError(_("This organisation's schema is not distributed: it cannot be moved."),
                            code=Code.NOT_DISTRIBUTED)
    if current == target:
        raise InvalidNodeError(_("The organisation's data is already on %(node)s.") % {"node": target},
                               details={"node": node})
    if connection.in_atomic_block:
        raise ConflictError(_("A move cannot run inside a transaction."), code=Code.NOT_DISTRIBUTED)
    schema_move(schema_name=tenant.schema_name, node=target)
    audit_record(action="tenant.node_moved", actor=actor, tenant=tenant, target=tenant,
                 before={"node": str(current)}, after={"node": str(target)})
    return target
