"""API error codes come from one catalogue per app (`<app>.errors.Code`, extending
`mooc_platform.errors.Code`), never from a string typed where the error is raised (issue 10 item 3)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from courses.errors import Code as CoursesCode
from invoicing.errors import Code as InvoicingCode
from maintenance.errors import Code as MaintenanceCode
from mooc_platform.errors import Code as BaseCode
from tenants.errors import Code as TenantsCode

ROOT = Path(__file__).resolve().parents[2]
APPS = ("courses", "invoicing", "tenants", "maintenance", "mooc_platform")


def _codes(catalogue: type) -> dict[str, str]:
    return {name: value for name, value in vars(catalogue).items() if name.isupper()}


def _typed_codes(path: Path) -> list[str]:
    """`code="…"` arguments, `{"code": "…"}` entries, `BrokenRule("…")` and `error_body("…")` written as
    string literals."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Constant):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} code={node.value.value!r}")
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("BrokenRule", "error_body") and node.args
                and isinstance(node.args[0], ast.Constant)):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.id}({node.args[0].value!r})")
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (isinstance(key, ast.Constant) and key.value == "code" and isinstance(value, ast.Constant)
                        and isinstance(value.value, str)):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} 'code': {value.value!r}")
    return found


@pytest.mark.parametrize("app", APPS)
def test_no_error_code_is_typed_outside_the_catalogue(app: str) -> None:
    paths = [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts and p.name != "errors.py"]
    assert [hit for path in paths for hit in _typed_codes(path)] == []


def test_each_code_is_defined_once_and_its_name_is_its_value() -> None:
    base = _codes(BaseCode)
    seen: dict[str, str] = {}
    for catalogue in (CoursesCode, InvoicingCode, TenantsCode, MaintenanceCode):
        own = {name: value for name, value in _codes(catalogue).items() if name not in base}
        for name, value in own.items():
            assert value == name.lower()
            assert value not in seen, f"{value} is in {seen.get(value)} and {catalogue.__module__}"
            seen[value] = catalogue.__module__
        assert not set(own.values()) & set(base.values())
