"""Branding (issue 13 item 4): the WCAG 2.1 contrast rule (exact formula, the 4.5:1 edge), enforced by the service
so an unreadable combination such as white on yellow is refused with a clear message; the page re-displays refused
input with each field's error and never fails; the organisation's sender name is the display name of the From
header of its e-mails."""

from __future__ import annotations

from email.header import decode_header, make_header
from email.utils import parseaddr

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context

from courses import services
from courses.colours import contrast_ratio, readable, relative_luminance, text_on
from courses.models import Branding
from mooc_platform.accounts.models import User
from mooc_platform.errors import ApplicationError
from tests.helpers import host_of

pytestmark = pytest.mark.django_db


def test_relative_luminance_and_contrast_follow_the_wcag_formula() -> None:
    assert relative_luminance("#000000") == 0.0 and relative_luminance("#ffffff") == pytest.approx(1.0)
    # 0x80 = 128: (128/255 + 0.055) / 1.055 ** 2.4
    assert relative_luminance("#808080") == pytest.approx(((128 / 255 + 0.055) / 1.055) ** 2.4)
    assert relative_luminance("#ff0000") == pytest.approx(0.2126)
    assert relative_luminance("#020202") == pytest.approx(2 / 255 / 12.92)  # the linear part under 0.03928
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == 1.0
    white_on_yellow = contrast_ratio("#ffffff", "#ffff00")
    assert white_on_yellow == contrast_ratio("#ffff00", "#ffffff") == pytest.approx(1.0738, abs=1e-4)
    assert contrast_ratio("#ffffff", "#1d4ed8") == pytest.approx(6.70, abs=0.01)


def test_the_edge_is_4_5_unrounded() -> None:
    # #767676 on white is the lightest grey that passes (4.54:1); #777777 fails (4.48:1).
    assert contrast_ratio("#ffffff", "#767676") == pytest.approx(4.54, abs=0.01)
    assert readable(text="#ffffff", background="#767676")
    assert contrast_ratio("#ffffff", "#777777") == pytest.approx(4.48, abs=0.01)
    assert not readable(text="#ffffff", background="#777777")
    assert (text_on("#f59e0b"), text_on("#1d4ed8")) == ("#111827", "#ffffff")


@pytest.mark.parametrize(("field", "colour"), [("primary_color", "#ffff00"), ("primary_color", "#777777"),
                                                ("accent_color", "#808080")])
def test_unreadable_colours_are_refused_by_the_service(in_demo, field, colour) -> None:
    admin = User.objects.get(email="admin@demo.test")
    before = Branding.objects.filter(pk=1).values_list("primary_color", "accent_color").first()
    with pytest.raises(ApplicationError) as refused, translation.override("en"):
        services.branding_update(actor=admin, **{field: colour})
    message = refused.value.details[field][0]
    assert colour in message and "4.5:1" in message
    assert Branding.objects.filter(pk=1).values_list("primary_color", "accent_color").first() == before


def test_readable_colours_at_the_edge_are_saved(in_demo) -> None:
    admin = User.objects.get(email="admin@demo.test")
    branding = services.branding_update(actor=admin, primary_color="#767676", accent_color="#FFFF00")
    assert (branding.primary_color, branding.accent_color) == ("#767676", "#ffff00")


def _admin_client(tenant) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host_of(tenant), raise_request_exception=False)
    with schema_context(tenant.schema_name):
        client.force_login(User.objects.get(email=f"admin@{tenant.slug}.test"))
    return client


def test_white_on_yellow_is_refused_on_the_page_in_french_and_the_input_shown_again(acme) -> None:
    client = _admin_client(acme)
    response = client.post("/manage/branding/", {"name": "Acmé <b>x</b>", "primary_color": "#ffff00",
                                                 "accent_color": "#f59e0b", "default_language": "fr",
                                                 "email_sender_name": "Acme Formation"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-primary_color"' in page
    assert "Le texte blanc (en-tête, boutons) sur #ffff00 a un contraste de 1,07:1" in page
    assert 'value="#ffff00"' in page and 'value="Acme Formation"' in page
    assert "Acmé &lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    with schema_context(acme.schema_name):
        assert Branding.objects.filter(primary_color="#ffff00").count() == 0


@pytest.mark.parametrize("posted", [
    {"primary_color": "#aabbcc\n", "accent_color": "javascript:alert(1)"},
    {"primary_color": "#12345", "default_language": "xx", "email_sender_name": "Evil\r\nBcc: a@b.c"},
    {"email_sender_name": "<script>alert(1)</script>", "name": "x" * 5000},
    {"email_sender_name": "n" * 101, "upload_id": "²"},
    {"primary_color": ["#000000", "red"], "accent_color": "#zzzzzz"},
])
def test_hostile_input_is_shown_again_with_errors_never_a_500(demo, posted) -> None:
    client = _admin_client(demo)
    response = client.post("/manage/branding/", posted)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "<script>alert(1)</script>" not in page
    with schema_context(demo.schema_name):
        branding = Branding.objects.filter(pk=1).first()
        assert branding is None or ("\n" not in branding.primary_color and "\n" not in branding.email_sender_name)


def test_the_sender_name_is_the_display_name_of_the_from_header(demo, mailoutbox, django_capture_on_commit_callbacks
                                                                ) -> None:
    client = _admin_client(demo)
    response = client.post("/manage/branding/", {"name": "Demo University", "primary_color": "#1d4ed8",
                                                 "accent_color": "#f59e0b", "default_language": "en",
                                                 "email_sender_name": "Université Démo"})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        invited = client.post("/manage/users/", {"action": "invite", "email": "sender-check@example.org",
                                                 "role": "learner"})
    assert invited.status_code == 302
    sent = [m for m in mailoutbox if m.to == ["sender-check@example.org"]]
    assert len(sent) == 1
    message = sent[0].message()
    address = parseaddr(str(message["From"]))[1]
    assert str(make_header(decode_header(message["From"]))).startswith("Université Démo <")
    assert address == parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
