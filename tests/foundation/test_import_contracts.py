"""The architecture rules of SPEC §2 and issue 10 item 5, checked on every `make test`: the import-linter
contracts of pyproject.toml (tenants imports no app; mooc_platform imports apps only in settings and
urlconfs; courses reaches maintenance only through its selectors; apis/views/admin/management/tasks ->
services -> selectors -> models in each app; thin tasks) and ruff's banned-api rule (get_tenant_model()
only inside tenants/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_import_contracts_are_kept() -> None:
    run = subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_the_tenant_model_is_reached_only_inside_tenants() -> None:
    run = subprocess.run([str(BIN / "ruff"), "check", "--select", "TID251", "--output-format", "concise", "."],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
