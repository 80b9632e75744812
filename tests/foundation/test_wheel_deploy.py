"""Issue 16 item 5: what the production image installs works on its own. The project's wheel is built, installed
with its pinned dependencies into a new virtualenv (PyPI or the pip cache, nothing of this checkout), and that
virtualenv runs the production settings' `check --deploy` without a warning, renders templates of every app in
French, and collects the static files (the image's build step)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "mooc_platform.settings.production",
    "DJANGO_SECRET_KEY": "x7Hq2!pZ9wLm4@vR8tYc1#nB6sKd3$fJ0gXe5^uA-production-like-secret",
    "DATABASE_URL": "postgres://mooc@127.0.0.1:5432/mooc",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "AWS_STORAGE_BUCKET_NAME": "mooc-platform",
    "INVOICING_WEBHOOK_SECRET": "whsec-test",
    "PLATFORM_DOMAIN": "mooc.example",
}


def _run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: int = 900) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def test_the_wheel_installs_in_a_clean_venv_and_passes_check_deploy(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ and *.egg-info next to the sources it builds.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".var", ".pytest_cache", "__pycache__", "build", "*.egg-info", "tests", "bench"))
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(wheels), str(source)],
         cwd=tmp_path)
    (wheel,) = wheels.glob("mooc_platform-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("console/templates/console/organisation.html", "courses/locale/fr/LC_MESSAGES/django.mo",
                   "tenants/citus.py", "mooc_platform/postgresql_backend/schema.py"):
        assert needed in names, needed
    assert not any(name.startswith("tests/") for name in names)

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    _run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)], cwd=tmp_path)

    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("DJANGO_", "CACHE_URL", "REDIS_URL", "PYTHONPATH", "VIRTUAL_ENV"))}
    env = {**clean, **PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path / "static")}
    # From an empty folder: everything is imported from the installed wheel, nothing from this checkout.
    work = tmp_path / "elsewhere"
    work.mkdir()
    origin = _run([python, "-c", "import mooc_platform, console; print(mooc_platform.__file__, console.__file__)"],
                  cwd=work, env=env)
    assert str(ROOT) not in origin and str(env_dir) in origin
    out = _run([python, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"], cwd=work, env=env)
    assert out.strip() == "System check identified no issues (0 silenced).", out
    rendered = _run([python, "-c", (
        "import django; django.setup(); from django.utils import translation; "
        "from django.template.loader import render_to_string; translation.activate('fr'); "
        "print(len(render_to_string('console/login.html', {})) > 0, translation.gettext('Database node'))")],
        cwd=work, env=env)
    assert rendered.split(None, 1) == ["True", "Nœud de base de données\n"]
    _run([python, "-m", "django", "collectstatic", "--noinput", "--verbosity", "0"], cwd=work, env=env)
    assert (tmp_path / "static" / "console").is_dir()
