"""Issue 11 item 8: every page carries a Content-Security-Policy with no inline script or style allowed,
Swagger UI comes from the package (never a CDN), `make run` listens on loopback unless told otherwise,
and the technical 500 page never reaches another host."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in response["Content-Security-Policy"].split("; ")}


@pytest.mark.parametrize("host", ["localhost", "demo.localhost", "acme.localhost"])
def test_every_host_sends_a_policy_without_inline_scripts_or_styles(host):
    for path in ("/", "/login/", "/api/docs/", "/no-such-page/"):
        response = Client(HTTP_HOST=host).get(path)
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"], (path, policy)
        # Swagger UI's bundle injects <style> elements: its page alone allows inline styles.
        assert policy["style-src"] == (["'self'", "'unsafe-inline'"] if path == "/api/docs/" else ["'self'"])
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
    # An unknown host's page too.
    assert _policy(Client(HTTP_HOST="nowhere.localhost").get("/"))["script-src"] == ["'self'"]


def test_templates_keep_no_inline_script_or_style():
    offending = []
    for template in ROOT.glob("*/**/templates/**/*.html"):
        # E-mails are not pages: no CSP applies, and mail clients honour only inline styles.
        if ".venv" in template.parts or "emails" in template.parts:
            continue
        text = template.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son[a-z]+=\""):
            offending += [f"{template.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert offending == []


@pytest.mark.parametrize("host", ["localhost", "demo.localhost"])
def test_swagger_ui_comes_from_the_package_never_a_cdn(host):
    client = Client(HTTP_HOST=host)
    page = client.get("/api/docs/").content.decode()
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in sources
    assert all(source.startswith("/") for source in sources), sources
    for source in sources:
        response = client.get(source)
        assert response.status_code == 200, source
    bundle = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle["Content-Type"].startswith("text/javascript")


def _gunicorn_bind(env: dict[str, str]) -> str:
    """Where the Procfile's web process listens: gunicorn's configuration module read under `env`."""
    return subprocess.run(["python", "-c", "import mooc_platform.gunicorn_conf as c; print(c.bind)"], cwd=ROOT,
                          env=env, capture_output=True, text=True, check=True).stdout.strip()


def test_make_run_listens_on_loopback_unless_told_otherwise():
    web = next(line.split(":", 1)[1].strip() for line in (ROOT / "Procfile").read_text().splitlines()
               if line.startswith("web:"))
    assert web.startswith("gunicorn -c python:mooc_platform.gunicorn_conf ")
    env = {key: value for key, value in os.environ.items() if key != "HOST"} | {"PORT": "8123"}
    assert _gunicorn_bind(env) == "127.0.0.1:8123"
    assert _gunicorn_bind(env | {"HOST": "0.0.0.0"}) == "0.0.0.0:8123"
    assert "HOST ?= 127.0.0.1" in (ROOT / "Makefile").read_text()


def test_the_technical_500_page_only_reaches_loopback(settings, monkeypatch):
    settings.DEBUG = True

    def broken(*args, **kwargs):
        raise RuntimeError("secret-local-variable-value")

    monkeypatch.setattr("mooc_platform.views.render", broken)
    remote = Client(HTTP_HOST="localhost", REMOTE_ADDR="203.0.113.7", raise_request_exception=False).get("/")
    assert remote.status_code == 500
    assert b"secret-local-variable-value" not in remote.content and b"Traceback" not in remote.content
    assert b"SECRET_KEY" not in remote.content
    local = Client(HTTP_HOST="localhost", REMOTE_ADDR="127.0.0.1", raise_request_exception=False).get("/")
    assert local.status_code == 500 and b"secret-local-variable-value" in local.content
