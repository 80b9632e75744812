"""`seed_demo` composes each app's own demo part (settings.DEMO_SEEDERS): SPEC §4's accounts, tenants,
courses and price list, idempotent, refused when DEBUG is off."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from courses.demo import DEMO_COURSES
from courses.models import Course
from invoicing.models import Plan
from mooc_platform.accounts.models import User
from tenants.models import Tenant


def test_seed_demo_composes_every_apps_part_and_is_idempotent(db, settings, capsys) -> None:
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert "demo data ready" in capsys.readouterr().out
    assert User.objects.filter(email="operator@demo.test", is_staff=True).count() == 1
    assert set(Plan.objects.filter(code__in=["essential", "campus"]).values_list("code", flat=True)) == {
        "essential", "campus"}
    # SPEC §4: demo speaks English and acme French, its demo accounts and its course too.
    for slug, language in (("demo", "en"), ("acme", "fr")):
        tenant = Tenant.objects.get(slug=slug)
        assert tenant.language == language
        with schema_context(tenant.schema_name):
            assert set(User.objects.filter(email__endswith=f"@{slug}.test").values_list("language", flat=True)) == {
                language}
            assert Course.objects.get(slug=DEMO_COURSES[slug][1]).language == language
            demo_accounts = {f"admin@{slug}.test", f"instructor@{slug}.test", f"learner1@{slug}.test",
                             f"learner2@{slug}.test"}
            assert User.objects.filter(email__in=demo_accounts).count() == 4  # each once
            course = Course.objects.get(slug=DEMO_COURSES[slug][1])
            assert course.status == Course.Status.PUBLISHED and course.modules.count() == 2


def test_seed_demo_is_refused_without_debug(db, settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
