"""Online help (issue 15 item 10, SPEC R30, GCS art. 7): `/help/` on tenant hosts, per role, FR/EN; every page
of the tenant URLconf has a section, and every page links to it from its footer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from onlinehelp.sections import NOT_PAGES, PAGE_SECTIONS, SECTIONS
from tests.helpers import host_of

TEMPLATES = Path(__file__).resolve().parents[2] / "onlinehelp" / "templates" / "onlinehelp"


def _url_names(patterns: list) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_tenant_page_has_a_help_section_in_both_languages_under_its_role() -> None:
    pages = {n for n in _url_names(get_resolver("mooc_platform.urls_tenant").url_patterns)
             if not n.startswith("api-") and n not in NOT_PAGES}
    assert sorted(pages - set(PAGE_SECTIONS)) == [], "give these pages a help section in onlinehelp/sections.py"
    assert set(PAGE_SECTIONS.values()) <= set(SECTIONS)  # and sections of no single page (maintenance)
    for language in ("en", "fr"):
        text = (TEMPLATES / f"help_{language}.html").read_text()
        parts = {role: text.index(f'id="part-{role}"') for role in ("learner", "instructor", "administrator")}
        ends = {"learner": parts["instructor"], "instructor": parts["administrator"], "administrator": len(text)}
        for anchor, role in SECTIONS.items():
            at = text.find(f'<h3 id="{anchor}">')
            assert parts[role] < at < ends[role], (language, anchor, role)
            paragraph = text[at:text.index("</p>", at)]
            assert len(re.sub(r"<[^>]+>", "", paragraph)) > 60, (language, anchor)


@pytest.mark.django_db
def test_the_help_speaks_the_readers_language_and_shows_each_roles_part(demo, acme) -> None:
    english = Client(HTTP_HOST=host_of(demo), HTTP_ACCEPT_LANGUAGE="en").get("/help/").content.decode()
    assert "For everyone: learners" in english and "Instructors" in english
    assert '<h2 id="part-administrator">Administrators</h2>' in english and "Pour tous" not in english
    french = Client(HTTP_HOST=host_of(acme), HTTP_ACCEPT_LANGUAGE="fr").get("/help/").content.decode()
    assert "Pour tous : apprenants" in french and '<h3 id="claims">Réclamations et assistance</h3>' in french
    assert "For everyone" not in french
    only = Client(HTTP_HOST=host_of(demo), HTTP_ACCEPT_LANGUAGE="en").get("/help/?role=administrator").content.decode()
    assert 'data-testid="help-administrator"' in only and 'data-testid="help-learner"' not in only
    assert Client(HTTP_HOST="localhost").get("/help/").status_code == 404  # tenant hosts only


@pytest.mark.django_db
def test_every_page_links_to_its_own_help_section(demo) -> None:
    client = Client(HTTP_HOST=host_of(demo))
    with schema_context(demo.schema_name):
        client.force_login(User.objects.get(email="admin@demo.test"))
    for path, anchor in (("/courses/", "catalogue"), ("/claims/", "claims"), ("/billing/", "billing"),
                         ("/manage/users/", "users"), ("/my/profile/", "profile"), ("/help/", "start")):
        page = client.get(path).content.decode()
        assert f'href="/help/#{anchor}" data-testid="help-link"' in page, path
    assert 'href="/help/#sign-in" data-testid="help-link"' in Client(HTTP_HOST=host_of(demo)).get(
        "/login/").content.decode()
