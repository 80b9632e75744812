#!/usr/bin/env python3
"""A three-node Citus cluster on loopback for development and `make test-citus`.

    python3 infra/citus/cluster.py start [--database mooc --database test_mooc]   # prints DATABASE_URL
    python3 infra/citus/cluster.py stop | status | url | destroy

`start` builds Citus from the vendored tarball first when `citus.so` is missing (`build.sh`, as root or
through sudo), then starts a coordinator and two workers, PostgreSQL 15 clusters kept in the repository's
`.var/citus/` (`coordinator/`, `worker1/`, `worker2/`), each with `citus` preloaded, `wal_level = logical`
(shard moves use logical replication) and schema-based sharding on (every new schema is distributed and
placed on one worker). Each application database is created on every node with the extension; the
coordinator registers itself and the workers in it. Ports: CITUS_PORT (default 9700) for the coordinator,
the next two for the workers. Standard library only: it runs before the project's virtualenv exists.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
HOME = Path(os.environ.get("CITUS_HOME", REPO / ".var" / "citus"))
BINDIR = Path(os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin"))
HOST = "127.0.0.1"
BASE_PORT = int(os.environ.get("CITUS_PORT", "9700"))
NODES = {"coordinator": BASE_PORT, "worker1": BASE_PORT + 1, "worker2": BASE_PORT + 2}
DEFAULT_DATABASES = ["mooc", "test_mooc"]
PG_OS_USER = "postgres"


def log(message: str) -> None:
    print(f"[citus] {message}", file=sys.stderr, flush=True)


def _as_pg() -> list[str]:
    """initdb and postgres refuse to run as root: as root, run them as the `postgres` user."""
    return ["runuser", "-u", PG_OS_USER, "--"] if os.geteuid() == 0 else []


def _pkglibdir() -> Path:
    out = subprocess.run([str(BINDIR / "pg_config"), "--pkglibdir"], capture_output=True, text=True, check=False)
    return Path(out.stdout.strip() or "/usr/lib/postgresql/15/lib")


def citus_installed() -> bool:
    return (_pkglibdir() / "citus.so").exists() or Path("/usr/lib/postgresql/15/lib/citus.so").exists()


def build() -> None:
    if citus_installed():
        return
    subprocess.run([str(REPO / "infra" / "citus" / "build.sh")], check=True)


def _psql(port: int, sql: str, *, database: str = "postgres") -> str:
    out = subprocess.run(
        [str(BINDIR / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", HOST, "-p", str(port),
         "-U", "postgres", "-d", database, "-c", sql],
        capture_output=True, text=True, check=False, cwd="/",
    )
    if out.returncode != 0:
        raise RuntimeError(f"psql on port {port} ({database}): {out.stderr.strip()}")
    return out.stdout.strip()


def _data(node: str) -> Path:
    return HOME / node / "data"


def _running(node: str) -> bool:
    return subprocess.run([*_as_pg(), str(BINDIR / "pg_ctl"), "status", "-D", str(_data(node))],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd="/").returncode == 0


def _init(node: str, port: int) -> None:
    data = _data(node)
    if (data / "PG_VERSION").exists():
        return
    (HOME / node).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        for path in (HOME, HOME / node):
            shutil.chown(path, user=PG_OS_USER, group=PG_OS_USER)
    log(f"initialising {node} in {data}")
    subprocess.run([*_as_pg(), str(BINDIR / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                    "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
                   check=True, stdout=subprocess.DEVNULL, cwd="/")
    with open(data / "postgresql.conf", "a") as conf:
        # Development and test data only: durability traded for speed.
        conf.write(
            f"\nport = {port}\nlisten_addresses = '{HOST}'\nunix_socket_directories = '{HOME / node}'\n"
            "shared_preload_libraries = 'citus'\nwal_level = logical\n"
            "citus.enable_schema_based_sharding = on\n"
            "max_connections = 300\nmax_prepared_transactions = 300\nshared_buffers = 128MB\n"
            "max_locks_per_transaction = 1024\nmax_wal_senders = 20\nmax_replication_slots = 20\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        )


def _start_node(node: str) -> None:
    if _running(node):
        return
    subprocess.run([*_as_pg(), str(BINDIR / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(_data(node)),
                    "-l", str(HOME / node / "postgres.log")],
                   check=True, stdout=subprocess.DEVNULL, cwd="/")


def _database_ready(database: str) -> None:
    """`database` on every node with the extension, and the workers registered in the coordinator's."""
    for node, port in NODES.items():
        if not _psql(port, f"SELECT 1 FROM pg_database WHERE datname = '{database}'"):
            _psql(port, f'CREATE DATABASE "{database}"')
        _psql(port, "CREATE EXTENSION IF NOT EXISTS citus", database=database)
        log(f"{database} ready on {node} ({HOST}:{port})")
    coordinator = NODES["coordinator"]
    registered = set(_psql(coordinator, "SELECT nodeport FROM pg_dist_node", database=database).split())
    if str(coordinator) not in registered:
        _psql(coordinator, f"SELECT citus_set_coordinator_host('{HOST}', {coordinator})", database=database)
    for node, port in NODES.items():
        if node != "coordinator" and str(port) not in registered:
            _psql(coordinator, f"SELECT citus_add_node('{HOST}', {port})", database=database)


def url(database: str = "mooc") -> str:
    return f"postgres://postgres@{HOST}:{NODES['coordinator']}/{database}"


def start(databases: list[str]) -> None:
    build()
    HOME.mkdir(parents=True, exist_ok=True)
    for node, port in NODES.items():
        _init(node, port)
    for node in NODES:
        _start_node(node)
    deadline = time.monotonic() + 30
    while True:
        try:
            for port in NODES.values():
                _psql(port, "SELECT 1")
            break
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    for database in databases:
        _database_ready(database)
    log(f"coordinator {HOST}:{NODES['coordinator']}, workers {NODES['worker1']} and {NODES['worker2']}")


def stop() -> None:
    for node in reversed(list(NODES)):
        if _running(node):
            subprocess.run([*_as_pg(), str(BINDIR / "pg_ctl"), "stop", "-m", "fast", "-D", str(_data(node))],
                           check=False, stdout=subprocess.DEVNULL, cwd="/")
            log(f"{node} stopped")


def status() -> int:
    up = 0
    for node, port in NODES.items():
        state = "running" if _running(node) else "stopped"
        up += state == "running"
        print(f"{node:<12} {HOST}:{port}  {state}")
    return 0 if up == len(NODES) else 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    begin = sub.add_parser("start", help="build if needed, start the three nodes, prepare the databases")
    begin.add_argument("--database", action="append", help="application databases (default: mooc, test_mooc)")
    sub.add_parser("stop")
    sub.add_parser("status")
    sub.add_parser("build")
    sub.add_parser("destroy", help="stop and delete .var/citus")
    link = sub.add_parser("url")
    link.add_argument("--database", default="mooc")
    args = parser.parse_args(argv)
    if args.command == "start":
        start(args.database or DEFAULT_DATABASES)
        print(url())
    elif args.command == "stop":
        stop()
    elif args.command == "status":
        return status()
    elif args.command == "build":
        build()
    elif args.command == "destroy":
        stop()
        shutil.rmtree(HOME, ignore_errors=True)
    else:
        print(url(args.database))
    return 0


if __name__ == "__main__":
    sys.exit(main())
