"""The embedded development stack: a private PostgreSQL, a local S3 endpoint and a serverless broker.

Used only when the matching environment variable is not set (`DATABASE_URL`,
`AWS_S3_ENDPOINT_URL`, `CELERY_BROKER_URL`): with them set, the same code talks to real servers.

    python -m mooc_platform.devstack run     # what `make run` calls: services, migrate, seed, web+worker+beat
    python -m mooc_platform.devstack test …  # what `make test` calls: PostgreSQL up, pytest, PostgreSQL down
    python -m mooc_platform.devstack s3 --port N   # a moto S3 server that keeps its objects in .var/s3
    python -m mooc_platform.devstack pg start|stop|url
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import glob
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MOOC_VAR_DIR", BASE_DIR / ".var"))
DEFAULT_BUCKET = "mooc-platform"
PG_OS_USER = "postgres"
# Passed with -c at every start, so that a cluster made by an older checkout gets them too (issue 16; README,
# "Scaling the web tier"). Durability traded for speed: this cluster holds development and test data only.
# max_files_per_process: the planner opens every table and index a query names (their file, for its size); the
# default 1,000 files per backend hold ~17 tenants' course pages (58 files each), so past that each request closed
# and opened files again (measured: 5 % of a backend's time at 1,000 tenants). PostgreSQL keeps it within the
# open-file limit, which the start raises to the hard limit (`_NOFILE_RAISED`).
PG_SETTINGS = {
    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
    "max_connections": "200", "shared_buffers": "128MB", "max_locks_per_transaction": "1024",
    "max_files_per_process": "20000",
}
# A shell prefix: the soft open-file limit up to the hard one (runuser's PAM session resets it to 1,024); where
# the hard one is "unlimited", which Linux refuses as a soft limit, up to what max_files_per_process asks.
_NOFILE_RAISED = ["sh", "-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null || '
                  f'ulimit -n {PG_SETTINGS["max_files_per_process"]} 2>/dev/null || true; exec "$0" "$@"']


def log(message: str) -> None:
    print(f"[devstack] {message}", file=sys.stderr, flush=True)


# --- PostgreSQL ----------------------------------------------------------------------------------


def _debian_pg_bindir() -> Path | None:
    """The newest PostgreSQL server binaries on this machine, or None."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name)
    )
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _run_as_pg_user() -> list[str]:
    """initdb and postgres refuse to run as root: as root, run them as the `postgres` user."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", PG_OS_USER, "--"]


def _pg_home() -> Path:
    """Where the cluster lives: `.var/pg`, unless the postgres user cannot reach it (a 0700 temp
    folder, for instance), in which case a folder of its own under /var/tmp keyed by the project."""
    home = VAR_DIR / "pg"
    if os.geteuid() != 0:
        return home
    pointer = VAR_DIR / "pg-location"
    if pointer.exists():
        return Path(pointer.read_text().strip())
    home.mkdir(parents=True, exist_ok=True)
    shutil.chown(home, user=PG_OS_USER, group=PG_OS_USER)
    reachable = subprocess.run([*_run_as_pg_user(), "test", "-w", str(home)], check=False, cwd="/").returncode == 0
    if not reachable:
        digest = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:12]
        home = Path(f"/var/tmp/mooc-platform-pg-{digest}")  # noqa: S108 - a private, owned folder
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.chown(home, user=PG_OS_USER, group=PG_OS_USER)
        log(f"the postgres user cannot reach {VAR_DIR}; cluster kept in {home}")
    pointer.write_text(str(home))
    return home


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with open(VAR_DIR / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _socket_url(socket_dir: Path, database: str) -> str:
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{database}"


def _pgserver_url(database: str) -> str:
    """Fallback where no PostgreSQL binaries are installed: the pgserver wheel ships them."""
    import pgserver  # type: ignore[import-not-found]

    server = pgserver.get_server(str(VAR_DIR / "pgserver"), cleanup_mode=None)
    if "(1 row)" not in server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';"):
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database)


@dataclass
class Postgres:
    url: str
    stop: Callable[[], None] | None  # None when the server was already running (or is pgserver's)


def postgres_ensure(*, database: str, foreground: bool = False) -> Postgres:
    """Start the private cluster if needed and create `database`.

    `foreground=True` runs the server as a child of this process, in its process group, so that
    whatever stops `make run` (Ctrl-C, SIGTERM, even SIGKILL of the group) stops PostgreSQL too;
    otherwise `pg_ctl` starts it in the background (ad-hoc `manage.py` commands, the test runner)."""
    bindir = None if os.environ.get("MOOC_EMBEDDED_PG") == "pgserver" else _debian_pg_bindir()
    if bindir is None:
        return Postgres(_pgserver_url(database), None)
    with _locked("pg"):
        home = _pg_home()
        data, sockets, logfile = home / "data", home / "run", home / "postgres.log"
        as_pg = _run_as_pg_user()
        stop: Callable[[], None] | None = None
        if not (data / "PG_VERSION").exists():
            home.mkdir(parents=True, exist_ok=True)
            if as_pg:
                shutil.chown(home, user=PG_OS_USER, group=PG_OS_USER)
            log(f"initialising a private PostgreSQL cluster in {data}")
            subprocess.run(
                [*as_pg, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
                check=True, stdout=subprocess.DEVNULL, cwd="/",
            )
            with open(data / "postgresql.conf", "a") as conf:
                # Unix socket only: no port to collide with another cluster on this machine.
                conf.write(f"\nlisten_addresses = ''\nunix_socket_directories = '{sockets}'\n")
        status = subprocess.run([*as_pg, str(bindir / "pg_ctl"), "status", "-D", str(data)],
                                check=False, stdout=subprocess.DEVNULL, cwd="/", stderr=subprocess.DEVNULL)
        if status.returncode != 0:
            sockets.mkdir(parents=True, exist_ok=True)
            if as_pg:
                shutil.chown(sockets, user=PG_OS_USER, group=PG_OS_USER)
            if foreground:
                stop = _postgres_start_child(bindir=bindir, data=data, sockets=sockets, logfile=logfile)
            else:
                subprocess.run(
                    [*as_pg, *_NOFILE_RAISED, str(bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data),
                     "-l", str(logfile), "-o", " ".join(_settings_args())],
                    check=True, stdout=subprocess.DEVNULL, cwd="/",
                )
                stop = postgres_stop
        _create_database(sockets, database)
    return Postgres(_socket_url(sockets, database), stop)


def _settings_args() -> list[str]:
    return [arg for name, value in PG_SETTINGS.items() for arg in ("-c", f"{name}={value}")]


def _postgres_start_child(*, bindir: Path, data: Path, sockets: Path, logfile: Path) -> Callable[[], None]:
    as_root = os.geteuid() == 0
    with open(logfile, "ab") as log_handle:
        server = subprocess.Popen(
            [*_NOFILE_RAISED, str(bindir / "postgres"), "-D", str(data), *_settings_args()],
            stdout=log_handle, stderr=subprocess.STDOUT,
            user=PG_OS_USER if as_root else None, group=PG_OS_USER if as_root else None,
            extra_groups=[] if as_root else None, cwd="/",
        )
    deadline = time.monotonic() + 60
    while not (sockets / ".s.PGSQL.5432").exists():
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL did not start; see {logfile}")
        time.sleep(0.05)
    _wait_for_postgres(sockets)

    def stop() -> None:
        server.send_signal(signal.SIGINT)  # "fast" shutdown
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=30)
        log("PostgreSQL stopped")

    return stop


def _wait_for_postgres(sockets: Path) -> None:
    import psycopg2

    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg2.connect(host=str(sockets), user="postgres", dbname="postgres").close()
            return
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _create_database(socket_dir: Path, database: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host=str(socket_dir), user="postgres", dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{database}"')
    finally:
        conn.close()


def postgres_stop() -> None:
    bindir = _debian_pg_bindir()
    if bindir is None:
        return
    data = _pg_home() / "data"
    if (data / "postmaster.pid").exists():
        subprocess.run([*_run_as_pg_user(), str(bindir / "pg_ctl"), "stop", "-m", "fast", "-D", str(data)],
                       check=False, stdout=subprocess.DEVNULL, cwd="/")
        log("PostgreSQL stopped")


# --- S3 (moto server mode) -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _s3_client(endpoint: str):  # type: ignore[no-untyped-def]
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3", endpoint_url=endpoint, region_name=os.environ.get("AWS_S3_REGION_NAME", "eu-west-3"),
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        config=Config(signature_version="s3v4"),
    )


def s3_start_in_process() -> str:
    """A moto S3 server in a thread of this process (tests, ad-hoc dev shells). Returns its URL."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return f"http://{host}:{port}"


def s3_bucket_ensure(endpoint: str, bucket: str) -> None:
    client = _s3_client(endpoint)
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client.create_bucket(
            Bucket=bucket,
            CreateBucketConfiguration={"LocationConstraint": os.environ.get("AWS_S3_REGION_NAME", "eu-west-3")},
        )
        client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    from mooc_platform.storage import bucket_lifecycle_ensure

    bucket_lifecycle_ensure(client=client, bucket=bucket)  # incomplete multipart uploads expire (R20)


def s3_serve(*, port: int, snapshot_dir: Path, bucket: str) -> None:
    """Serve S3 on `port` until SIGTERM/SIGINT; objects are restored from and saved to `snapshot_dir`
    so that a second `make run` finds its media again (moto keeps them in memory only)."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    s3_bucket_ensure(endpoint, bucket)
    client = _s3_client(endpoint)
    restored = 0
    root = snapshot_dir / bucket
    if root.exists():
        for path in root.rglob("*"):
            if path.is_file():
                client.put_object(Bucket=bucket, Key=str(path.relative_to(root)), Body=path.read_bytes())
                restored += 1
    log(f"S3 endpoint {endpoint} (bucket {bucket}, {restored} objects restored)")

    def save_and_exit(signum: int, frame: object) -> None:
        if root.exists():
            shutil.rmtree(root)
        saved = 0
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                target = root / obj["Key"]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(client.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read())
                saved += 1
        log(f"S3 snapshot: {saved} objects saved to {root}")
        server.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, save_and_exit)
    signal.signal(signal.SIGINT, save_and_exit)
    while True:
        time.sleep(3600)


# --- Environment -------------------------------------------------------------------------------


def configure_environment(*, purpose: str) -> None:
    """Fill in the environment for every server that was not given, before settings read it."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "devstack")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "devstack")
    os.environ.setdefault("AWS_STORAGE_BUCKET_NAME", DEFAULT_BUCKET)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = postgres_ensure(database="mooc").url
    if not os.environ.get("AWS_S3_ENDPOINT_URL") and purpose == "dev" and _running_s3_endpoint():
        # A `make run` is up: share its S3 endpoint rather than an ephemeral one.
        os.environ["AWS_S3_ENDPOINT_URL"] = _running_s3_endpoint() or ""
    if not os.environ.get("AWS_S3_ENDPOINT_URL"):
        endpoint = s3_start_in_process()
        s3_bucket_ensure(endpoint, os.environ["AWS_STORAGE_BUCKET_NAME"])
        os.environ["AWS_S3_ENDPOINT_URL"] = endpoint
    if not os.environ.get("CELERY_BROKER_URL"):
        # kombu's filesystem transport needs no server; tests get a folder of their own per process.
        if purpose == "dev":
            folder = VAR_DIR / "broker"
        else:  # each test process has a queue of its own, removed when it exits
            folder = Path(tempfile.mkdtemp(prefix="broker-", dir=_var()))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["CELERY_BROKER_URL"] = "filesystem://"
        os.environ["CELERY_BROKER_FOLDER"] = str(folder)
        os.environ.setdefault("CELERY_RESULT_BACKEND", f"file://{folder / 'results'}")


S3_ENDPOINT_FILE = VAR_DIR / "s3.endpoint"


def _running_s3_endpoint() -> str | None:
    """The endpoint of the S3 server a running `make run` started, if it still answers."""
    try:
        endpoint = S3_ENDPOINT_FILE.read_text().strip()
        port = int(endpoint.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return endpoint
    except (OSError, ValueError, IndexError):
        return None


def _var() -> str:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return str(VAR_DIR)


# --- Commands ----------------------------------------------------------------------------------

DEMO_BANNER = """
  MOOC Platform is starting (Ctrl-C stops everything).

  Platform (operators):  http://localhost:{port}/            console: http://localhost:{port}/console/
  Tenant "demo":          http://demo.localhost:{port}/
  Tenant "acme":          http://acme.localhost:{port}/
  API docs:               http://localhost:{port}/api/docs/   health: http://localhost:{port}/healthz
  E-mails:                {mail}

  Demo accounts (password: demo-password-2026):
    operator@demo.test                      platform operator
    admin@demo.test / admin@acme.test       customer administrators
    instructor@demo.test, learner1@demo.test, learner2@demo.test (and the same @acme.test)
"""


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], check=True, env=env)


def command_run() -> int:
    port = os.environ.get("PORT", "8000")
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "mooc_platform.settings.dev")
    cleanups: list[Callable[[], None]] = []
    children: list[subprocess.Popen] = []

    def stop_everything(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_everything)
    # `.var/` holds the S3 endpoint file, the broker folder and the e-mails even when DATABASE_URL names
    # a server (then nothing else creates it: a fresh checkout crashed, issue 16).
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # gunicorn, as in production (mooc_platform.gunicorn_conf), restarting its workers on a code change.
    env.setdefault("WEB_RELOAD", "true")
    try:
        if not env.get("DATABASE_URL"):
            postgres = postgres_ensure(database="mooc", foreground=True)
            env["DATABASE_URL"] = postgres.url
            if postgres.stop:
                cleanups.append(postgres.stop)
        env.setdefault("AWS_ACCESS_KEY_ID", "devstack")
        env.setdefault("AWS_SECRET_ACCESS_KEY", "devstack")
        if not env.get("AWS_S3_ENDPOINT_URL"):
            s3_port = int(env.get("S3_PORT") or _free_port())
            s3 = subprocess.Popen([sys.executable, "-m", "mooc_platform.devstack", "s3", "--port", str(s3_port)],
                                  env=env, cwd=BASE_DIR)
            cleanups.append(lambda: _terminate([s3]))
            env["AWS_S3_ENDPOINT_URL"] = f"http://127.0.0.1:{s3_port}"
            _wait_for_port(s3_port)
            S3_ENDPOINT_FILE.write_text(env["AWS_S3_ENDPOINT_URL"])
        if not env.get("CELERY_BROKER_URL"):
            env["CELERY_BROKER_URL"] = "filesystem://"
            env["CELERY_BROKER_FOLDER"] = str(VAR_DIR / "broker")
            env.setdefault("CELERY_RESULT_BACKEND", f"file://{VAR_DIR / 'broker' / 'results'}")
        env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
        env.setdefault("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
        env["PORT"] = port
        log("migrating the public schema and every tenant schema")
        _manage("migrate_schemas", "--executor=standard", env=env)
        log("seeding demo data (idempotent)")
        _manage("seed_demo", env=env)
        print(DEMO_BANNER.format(port=port, mail=env["EMAIL_FILE_PATH"]), flush=True)
        children.append(_procfile_start(env))
        children[0].wait()
        log("a process stopped: honcho stopped the others")
        return 1
    except KeyboardInterrupt:
        log("stopping")
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _terminate(children)
        for cleanup in reversed(cleanups):
            cleanup()


def _procfile_start(env: dict[str, str]) -> subprocess.Popen:
    """honcho runs the Procfile: each process's output prefixed with its name, all of them stopped
    when one exits or when honcho gets SIGINT/SIGTERM (Ctrl-C reaches it through the process group)."""
    honcho = shutil.which("honcho", path=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    if honcho is None:
        raise RuntimeError("honcho is not installed: `make run` installs it with the dev extra")
    return subprocess.Popen([honcho, "--procfile", str(BASE_DIR / "Procfile"), "--app-root", str(BASE_DIR),
                             "--no-colour", "start"], env=env, cwd=BASE_DIR)


def _terminate(processes: list[subprocess.Popen], timeout: float = 10.0) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def command_test(pytest_args: list[str]) -> int:
    env = dict(os.environ)
    # Importing this package set DJANGO_SETTINGS_MODULE to the dev settings (mooc_platform/celery.py);
    # pytest-django would take that over pyproject's value.
    env["DJANGO_SETTINGS_MODULE"] = "mooc_platform.settings.test"
    postgres = None
    if not env.get("DATABASE_URL"):
        postgres = postgres_ensure(database="mooc")
        env["DATABASE_URL"] = postgres.url
    try:
        return subprocess.run([sys.executable, "-m", "pytest", *pytest_args], env=env, check=False).returncode
    finally:
        if postgres is not None and postgres.stop:
            postgres.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run")
    test = sub.add_parser("test")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    s3 = sub.add_parser("s3")
    s3.add_argument("--port", type=int, required=True)
    s3.add_argument("--bucket", default=os.environ.get("AWS_STORAGE_BUCKET_NAME", DEFAULT_BUCKET))
    pg = sub.add_parser("pg")
    pg.add_argument("action", choices=["start", "stop", "url"])
    args = parser.parse_args(argv)
    if args.command == "run":
        return command_run()
    if args.command == "test":
        return command_test([a for a in args.pytest_args if a != "--"])
    if args.command == "s3":
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "devstack")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "devstack")
        s3_serve(port=args.port, snapshot_dir=VAR_DIR / "s3", bucket=args.bucket)
        return 0
    if args.action == "stop":
        postgres_stop()
    else:
        print(postgres_ensure(database="mooc").url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
