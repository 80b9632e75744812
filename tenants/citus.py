"""Citus, the scale-out engine (issue 16, infra/SCALING.md): detection, where a tenant's schema lives,
and the two Citus calls the platform makes (distribute a schema, move it to another worker).

With `citus.enable_schema_based_sharding` on, every schema created on the coordinator is a *distributed
schema*: its tables are single-shard tables placed together on one worker, and `public` stays on the
coordinator. The application code is the same on one PostgreSQL and on Citus; the differences are kept
here and in `clone.py` (Citus refuses several DDL commands in one string).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

_ENABLED: dict[tuple, bool] = {}


def citus_enabled() -> bool:
    """True when the database the default connection talks to has the `citus` extension (cached per
    database: the answer never changes while the process runs)."""
    settings = connection.settings_dict
    key = (settings.get("HOST"), settings.get("PORT"), settings.get("NAME"))
    if key not in _ENABLED:
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
            _ENABLED[key] = bool(cursor.fetchone()[0])
    return _ENABLED[key]


@dataclass(frozen=True)
class Node:
    """A Citus worker (or the coordinator) as `host:port`."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def parse(cls, value: str) -> Node:
        host, _sep, port = (value or "").rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"not a node: {value!r}")
        return cls(host=host, port=int(port))


def worker_nodes() -> list[Node]:
    """The active primary workers, in a stable order ([] without Citus)."""
    if not citus_enabled():
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nodename, nodeport FROM pg_dist_node WHERE isactive AND noderole = 'primary' "
                       "AND shouldhaveshards AND groupid <> 0 ORDER BY nodename, nodeport")
        return [Node(host, port) for host, port in cursor.fetchall()]


def schema_nodes(*, schema_names: list[str]) -> dict[str, Node | None]:
    """Where each schema's tables live: its worker, or None for a schema that is not distributed (or
    without Citus, or with no table yet). One query for the whole list."""
    result: dict[str, Node | None] = {name: None for name in schema_names}
    if not schema_names or not citus_enabled():
        return result
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT ON (n.nspname) n.nspname, node.nodename, node.nodeport
            FROM pg_dist_schema ds
            JOIN pg_namespace n ON n.oid = ds.schemaid
            JOIN pg_dist_partition p ON p.colocationid = ds.colocationid
            JOIN pg_dist_shard s ON s.logicalrelid = p.logicalrelid
            JOIN pg_dist_placement pl ON pl.shardid = s.shardid
            JOIN pg_dist_node node ON node.groupid = pl.groupid
            WHERE n.nspname = ANY(%s)
            ORDER BY n.nspname
            """,
            [list(schema_names)],
        )
        for name, host, port in cursor.fetchall():
            result[name] = Node(host, port)
    return result


def schema_is_distributed(*, schema_name: str) -> bool:
    if not citus_enabled():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_dist_schema WHERE schemaid = to_regnamespace(%s))",
                       [schema_name])
        return bool(cursor.fetchone()[0])


def schema_distribute(*, schema_name: str) -> None:
    """Turn a schema created without Citus's knowledge (inside a function, for instance) into a
    distributed schema: its tables move from the coordinator to a worker."""
    if citus_enabled() and not schema_is_distributed(schema_name=schema_name):
        with connection.cursor() as cursor:
            cursor.execute("SELECT citus_schema_distribute(%s::regnamespace)", [schema_name])


def schema_move(*, schema_name: str, node: Node) -> None:
    """Move a distributed schema's tables to `node` while they keep serving: Citus copies them with
    logical replication and blocks writes only for the final switch (`shard_transfer_mode => 'auto'`:
    logical replication when every table has a primary key). Must run outside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT citus_schema_move(%s::regnamespace, %s, %s, 'auto')",
                       [schema_name, node.host, node.port])
