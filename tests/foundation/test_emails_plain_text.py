"""Issue 9 item 16: e-mails are HTML-escaped only in their HTML part.

Every e-mail template of every app is sent through its real service for an organisation named
`Collège d'Orléans & Co`, in English and in French. The subject and the plain-text part show the name as
typed (no `&amp;`, no `&#x27;`); the HTML part escapes it once; and every link of the text part is
followed: pages on their host through the test client, the export's presigned URL against the S3 API
(moto server). `test_every_email_template_is_sent_here` keeps the list complete."""

from __future__ import annotations

import re
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from tenants.models import Tenant

ORG = "Collège d'Orléans & Co"
ORG_HTML = "Collège d&#x27;Orléans &amp; Co"
ESCAPES = ("&amp;", "&#x27;", "&#39;", "&quot;", "&lt;", "&gt;")
LINK = re.compile(r"https?://[^\s<>]+")
PARIS = ZoneInfo("Europe/Paris")
ROOT = Path(__file__).resolve().parents[2]
SENT: dict[str, Callable[..., list[EmailMultiAlternatives]]] = {}


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def sends(*templates: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        for template in templates:
            SENT[template] = function
        return function
    return register


@pytest.fixture
def frozen() -> Iterator[Callable[[datetime], None]]:
    travellers: list[Any] = []

    def move(moment: datetime) -> None:
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    move(paris(2027, 2, 10, 9))
    yield move
    while travellers:
        travellers.pop().stop()


@pytest.fixture
def college(db: None, frozen: Any, request: pytest.FixtureRequest, django_capture_on_commit_callbacks: Any
            ) -> Iterator[Tenant]:
    """A fresh tenant named `Collège d'Orléans & Co` (its schema vanishes with the test's transaction)."""
    from tenants.services import tenant_provision

    language = getattr(request, "param", "en")
    slug = f"college-{uuid.uuid4().hex[:8]}"
    with django_capture_on_commit_callbacks(execute=True):
        tenant = tenant_provision(slug=slug, name=ORG, admin_email=f"admin@{slug}.test", language=language)
    yield tenant
    connection.set_schema_to_public()


def _admin(tenant: Tenant) -> User:
    with schema_context(tenant.schema_name):
        admin = User.objects.get(role=User.Role.ADMINISTRATOR)
        admin.set_password("demo-password-2026")
        admin.save()
        return admin


def _follow(url: str) -> int:
    """Follow one link of a text part; returns the final HTTP status."""
    parts = urlsplit(url)
    if parts.hostname in ("127.0.0.1", "localhost") and "X-Amz-Signature" in parts.query:
        with urllib.request.urlopen(url, timeout=30) as response:  # the S3 API itself
            response.read()
            return response.status
    client = Client(HTTP_HOST=parts.netloc)
    response = client.get(parts.path, dict(parse_qsl(parts.query)), follow=True, secure=parts.scheme == "https")
    return response.status_code


def _checked(messages: list[EmailMultiAlternatives], *, org_in: str | None = "subject") -> list[str]:
    """Plain text stays plain, the HTML escapes the name exactly once, every text link answers 200.
    Returns the subjects."""
    assert messages
    for message in messages:
        for part in (message.subject, message.body):
            assert not [e for e in ESCAPES if e in part], part
        if org_in is not None:
            assert ORG in (message.subject if org_in == "subject" else message.body), (message.subject, message.body)
        html = message.alternatives[0][0]
        assert "&amp;amp;" not in html and "&amp;#x27;" not in html
        assert ORG not in html, html  # escaped once wherever it appears
        if ORG in message.body:
            assert ORG_HTML in html, html
        for url in LINK.findall(message.body):
            assert _follow(url) == 200, url
    return [m.subject for m in messages]


def _sent(capture: Any, action: Callable[[], Any]) -> list[EmailMultiAlternatives]:
    start = len(mail.outbox)
    with capture(execute=True):
        action()
    return list(mail.outbox[start:])


# --- tenants -----------------------------------------------------------------------------------------


@sends("accounts/emails/invitation")
def _invitation(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    """The one invitation: sent again by an operator (the earlier link stops working), sent to the
    first administrator, and to a user an administrator invites."""
    from courses.services import user_invite
    from mooc_platform.accounts.services import user_invitation_resend, user_invitation_send

    with schema_context(college.schema_name):
        admin = User.objects.get(role=User.Role.ADMINISTRATOR)
    messages = _sent(capture, lambda: user_invitation_resend(tenant=college, user=admin, actor=None))
    messages += _sent(capture, lambda: user_invitation_send(tenant=college, user=admin))
    with schema_context(college.schema_name):
        connection.tenant = college
        messages += _sent(capture, lambda: user_invite(email=f"new-{uuid.uuid4().hex[:6]}@example.org",
                                                       role="learner", language=college.language))
    assert [[urlsplit(u).path.startswith("/invitation/") for u in LINK.findall(m.body)] for m in messages] == [
        [True], [True], [True]]
    return messages


@sends("tenants/emails/lifecycle", "tenants/emails/lifecycle_body")
def _lifecycle(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    from tenants import services

    messages: list[EmailMultiAlternatives] = []

    def step(function: Callable[..., Any], **kwargs: Any) -> None:
        tenant = Tenant.objects.get(pk=college.pk)
        messages.extend(_sent(capture, lambda: function(tenant=tenant, **kwargs)))

    step(services.tenant_suspend, reason="Facture d'avril & de mai impayée")
    step(services.tenant_reinstate)
    step(services.tenant_cancel, access_ends_at=paris(2027, 3, 1))
    step(services.tenant_access_end, now=paris(2027, 3, 2))
    step(services.tenant_destruction_reminder_send, days=30, now=paris(2027, 8, 1))
    step(services.tenant_resubscribe, now=paris(2027, 8, 2))
    step(services.tenant_terminate, reason="Offence & abuse", now=paris(2027, 8, 3))
    assert len(messages) == 7
    assert "Facture d'avril & de mai impayée" in messages[0].body
    return messages


@sends("tenants/emails/export_ready")
def _export_ready(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    from tenants.exports import export_build
    from tenants.services import tenant_export_request

    admin = _admin(college)
    with capture(execute=False):
        export = tenant_export_request(tenant=college, actor=admin)
    messages = _sent(capture, lambda: export_build(export_id=export.pk))
    links = LINK.findall(messages[0].body)
    s3_link = next(u for u in links if "X-Amz-Signature" in u)
    assert "&X-Amz-" in s3_link and urlsplit(s3_link).hostname in ("127.0.0.1", "localhost")
    assert {k for k, _ in parse_qsl(urlsplit(s3_link).query)} >= {"X-Amz-Algorithm", "X-Amz-Signature"}
    with urllib.request.urlopen(s3_link, timeout=30) as response:
        assert response.read()[:2] == b"PK"  # the zip archive itself
    return messages


# --- courses -----------------------------------------------------------------------------------------


@sends("courses/emails/post_hidden", "courses/emails/post_restored")
def _moderation(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    from courses import services
    from tests.factories import CourseFactory

    with schema_context(college.schema_name):
        connection.tenant = college
        admin = User.objects.get(role=User.Role.ADMINISTRATOR)
        author = User.objects.create_user(f"author-{uuid.uuid4().hex[:6]}@example.org", "x-Long-password-1",
                                          role=User.Role.LEARNER, language=college.language)
        course = CourseFactory(author=admin, quiz=False)
        services.enrollment_create(course=course, user=author)
        post = services.post_create(course=course, author=author, body="Tom & Jerry's answer")
        hidden = _sent(capture, lambda: services.post_hide(post=post, moderator=admin, reason="Spam & ads"))
        restored = _sent(capture, lambda: services.post_restore(post=post, moderator=admin))
    assert "Tom & Jerry's answer" in hidden[0].body and "Spam & ads" in hidden[0].body
    return hidden + restored


@sends("courses/emails/notification")
def _notification(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    """A notification e-mail (issue 14 item 8), one each and as a daily digest."""
    from courses import services
    from courses.models import Notification
    from tests.factories import CourseFactory

    with schema_context(college.schema_name):
        connection.tenant = college
        admin = User.objects.get(role=User.Role.ADMINISTRATOR)
        learner = User.objects.create_user(f"learner-{uuid.uuid4().hex[:6]}@example.org", "x-Long-password-1",
                                           role=User.Role.LEARNER, language=college.language)
        course = CourseFactory(author=admin, quiz=False, title="Tom & Jerry's course")
        services.enrollment_create(course=course, user=learner)
        each = list(Notification.objects.filter(user=learner).values_list("pk", flat=True))
        one = _sent(capture, lambda: services.notifications_email(notification_ids=each))
        services.notification_settings_update(user=learner, in_app=services.KINDS, email=services.KINDS,
                                              daily_digest=True)
        services.notify(users=[learner], kind="certificate", key="digest", params={"course": course.title},
                        url="/my/certificates/")
        digest = _sent(capture, lambda: services.notifications_digest_send())
    assert "Tom & Jerry's course" in one[0].body and len(digest) == 1
    return one + digest


@sends("courses/emails/storage_warning")
def _storage_warning(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    from courses import services

    Tenant.objects.filter(pk=college.pk).update(storage_quota_bytes=100)
    messages: list[EmailMultiAlternatives] = []
    with schema_context(college.schema_name):
        connection.tenant = Tenant.objects.get(pk=college.pk)
        admin = User.objects.get(role=User.Role.ADMINISTRATOR)
        for size in (85, 15):
            signed = services.media_upload_sign(actor=admin, purpose="file", filename="notes.txt",
                                                content_type="text/plain", size=size)
            request = urllib.request.Request(signed.url, data=b"x" * size, method="PUT", headers=signed.headers)
            with urllib.request.urlopen(request, timeout=30):
                pass
            messages += _sent(capture, lambda s=signed: services.media_upload_confirm(upload=s.upload))
    assert len(messages) == 2
    return messages


# --- invoicing ---------------------------------------------------------------------------------------


def _quote(language: str, capture: Any) -> tuple[Any, list[EmailMultiAlternatives]]:
    from invoicing import services
    from invoicing.models import BillingPeriod

    plan = services.plan_create(code=f"plan-{uuid.uuid4().hex[:6]}", name="Essential",
                                billing_period=BillingPeriod.MONTHLY, flat_amount=Decimal("100.00"),
                                per_seat_amount=Decimal("2.80"), seats=50, now=paris(2020, 1, 1))
    quote = services.quote_create(plan=plan, organisation_name=ORG,
                                  billing_address="1 rue d'Illiers & Co\n45000 Orléans",
                                  country="FR", contact_name="Zoé d'Arc", contact_email="zoe@orleans.example",
                                  wished_slug=f"orleans-{uuid.uuid4().hex[:6]}", language=language)
    messages = _sent(capture, lambda: services.quote_send(quote=quote, signing_base_url="http://localhost"))
    return quote, messages


@sends("invoicing/emails/quote_sent")
def _quote_sent(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    return _quote(college.language, capture)[1]


@sends("invoicing/emails/invoice_issued", "invoicing/emails/invoice_reminder", "invoicing/emails/invoice_formal_notice")
def _invoices(college: Tenant, capture: Any, frozen: Any = None) -> list[EmailMultiAlternatives]:
    from invoicing import services

    quote, _ = _quote(college.language, capture)
    result = services.quote_sign(token=quote.token, signer_name="Zoé d'Arc", signer_title="Directrice & fondatrice",
                                 signer_email="zoe@orleans.example", accept_terms=True, ip_address="203.0.113.7",
                                 user_agent="pytest")
    tenant = Tenant.objects.get(pk=result.tenant.pk)
    with schema_context(tenant.schema_name):
        User.objects.filter(role=User.Role.ADMINISTRATOR).update(is_active=True)
    issued = _sent(capture, services.invoices_deliver)
    due = result.invoice.due_date
    with time_machine.travel(datetime(due.year, due.month, due.day, 6, tzinfo=PARIS) - timedelta(days=7), tick=False):
        reminder = _sent(capture, services.dunning_run)
    with time_machine.travel(datetime(due.year, due.month, due.day, 6, tzinfo=PARIS), tick=False):
        notice = _sent(capture, services.dunning_run)
    assert ORG in issued[0].subject
    assert all("Date d'échéance : 12/03/2027." in m.body for m in issued + reminder)  # the legal mentions
    return issued + reminder + notice


def _signed(college: Tenant, capture: Any) -> Any:
    from invoicing import services

    quote, _ = _quote(college.language, capture)
    with capture(execute=True):
        return services.quote_sign(token=quote.token, signer_name="Zoé d'Arc", signer_title="Directrice",
                                   signer_email="zoe@orleans.example", accept_terms=True, ip_address="203.0.113.7",
                                   user_agent="pytest")


@sends("invoicing/emails/non_payment_warning")
def _non_payment(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    from invoicing import services
    from tenants.services import tenant_suspend

    result = _signed(college, capture)
    tenant = Tenant.objects.get(pk=result.tenant.pk)
    tenant_suspend(tenant=tenant, reason=services.NON_PAYMENT_REASON, now=paris(2027, 1, 1, 6), notify=False)
    return _sent(capture, lambda: services.non_payment_termination_warn(tenant=tenant, now=paris(2027, 2, 15, 6)))


@sends("invoicing/emails/plan_retired", "invoicing/emails/plan_retirement_reminder")
def _plan_retirement(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    from invoicing import services
    from invoicing.models import SubscriptionRetirement

    result = _signed(college, capture)
    notice = _sent(capture, lambda: services.plan_retire(plan=result.subscription.plan, actor=None,
                                                         reason="Replaced by Campus & Co."))
    row = SubscriptionRetirement.objects.get(subscription=result.subscription)
    reminder = _sent(capture, lambda: services.plan_retirement_reminder_send(row=row, days=30,
                                                                             now=paris(2027, 7, 15, 9)))
    return notice + reminder


@sends("invoicing/emails/order_signed")
def _order_signed(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    """SPEC R22: the signed order (quote PDF + terms PDF) to the signer and the contact."""
    from invoicing import services

    quote, _ = _quote(college.language, capture)
    messages = _sent(capture, lambda: services.quote_sign(
        token=quote.token, signer_name="Zoé d'Arc", signer_title="Directrice & fondatrice",
        signer_email="zoe@orleans.example", accept_terms=True, ip_address="203.0.113.7", user_agent="pytest"))
    orders = [m for m in messages if m.attachments]
    assert len(orders) == 1 and orders[0].attachments[0][0] == f"{quote.reference}.pdf"
    return orders


@sends("invoicing/emails/terms_published")
def _terms_published(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    """SPEC R22: a new terms version announced to the administrators of live customers (here, the college's)."""
    from invoicing import services

    with schema_context(college.schema_name):
        User.objects.filter(role=User.Role.ADMINISTRATOR).update(is_active=True)
        admins = sorted(User.objects.filter(role=User.Role.ADMINISTRATOR).values_list("email", flat=True))
    terms = services.terms_version_publish(version=f"GCS-{uuid.uuid4().hex[:8]}", text_fr="Conditions « & Co »",
                                           text_en="Terms 'R' & Co", effective_at=paris(2027, 3, 1))
    messages = _sent(capture, lambda: services.terms_announcements_send(terms_id=terms.pk))
    return [m for m in messages if m.to == admins]


@sends("invoicing/emails/renewal_notice")
def _renewal_notice(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    """SPEC R23: the renewal notice 60 days before the initial term ends (signed 10/02/2027, renews 10/02/2028)."""
    from invoicing import services

    quote, _ = _quote(college.language, capture)
    result = services.quote_sign(token=quote.token, signer_name="Zoé d'Arc", signer_title="Directrice",
                                 signer_email="zoe@orleans.example", accept_terms=True)
    Tenant.objects.filter(pk=result.tenant.pk).update(language=college.language)
    with schema_context(result.tenant.schema_name):
        User.objects.filter(role=User.Role.ADMINISTRATOR).update(is_active=True)
    with time_machine.travel(paris(2027, 12, 12, 9), tick=False):
        messages = _sent(capture, services.renewal_notices_send_due)
    return [m for m in messages if m.to == ["zoe@orleans.example"]]


# --- maintenance -------------------------------------------------------------------------------------


@sends(*(f"maintenance/emails/{kind}_{lang}" for kind in ("announcement", "reminder", "cancellation")
         for lang in ("en", "fr")))
def _maintenance(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    from maintenance.services import (
        maintenance_notices_send_due,
        maintenance_window_cancel,
        maintenance_window_schedule,
    )

    start = paris(2027, 2, 20, 14)
    now = paris(2027, 2, 10, 9)
    window = maintenance_window_schedule(start=start, end=start + timedelta(hours=4), scope="selected",
                                         tenants=[college], reason="upgrade", message_fr="Mise à jour d'été & co.",
                                         message_en="Summer upgrade & co.", now=now)
    def due(at: datetime) -> list[EmailMultiAlternatives]:
        return _sent(capture, lambda: maintenance_notices_send_due(now=at, window_id=window.id))

    messages = due(now) + due(start - timedelta(hours=3))
    maintenance_window_cancel(window=window, now=start - timedelta(hours=2))
    messages += due(start - timedelta(hours=2))
    assert len(messages) == 3
    return messages


# --- claims ------------------------------------------------------------------------------------------


@sends("claims/emails/claim_received", "claims/emails/claim_replied")
def _claims(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    from claims import services

    admin = _admin(college)
    admin.language = college.language
    operator = User.objects.get(email="operator@demo.test")
    filed = _sent(capture, lambda: services.claim_file(
        tenant=college, actor=admin, category="other", event_at=paris(2027, 2, 7, 9), subject="Tom & Jerry's videos",
        body="They stall & stop."))
    claim = college.claims.get()
    answered = _sent(capture, lambda: services.claim_reply(claim=claim, actor=operator, body="Fixed: R&D's cache."))
    assert "Tom & Jerry's videos" in filed[0].body and "Fixed: R&D's cache." in answered[0].body
    return filed + answered


@sends("courses/emails/account_deactivated")
def _deactivation(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    from courses import services

    admin = _admin(college)
    with schema_context(college.schema_name):
        connection.tenant = college
        leaver = User.objects.create_user(f"leaver-{uuid.uuid4().hex[:6]}@example.org", "x-Long-password-1",
                                          role=User.Role.LEARNER, language=college.language)
        sent = _sent(capture, lambda: services.user_deactivate(user=leaver, actor=admin))
    assert leaver.email in sent[0].body and "/not-me/" in sent[0].body
    return sent


# --- integrations ------------------------------------------------------------------------------------


@sends("integrations/emails/webhook_disabled")
def _webhook_disabled(college: Tenant, capture: Any) -> list[EmailMultiAlternatives]:
    from django.utils import timezone

    from integrations.models import WebhookEndpoint
    from integrations.services.webhooks import webhook_delivery_attempt, webhook_endpoint_create, webhook_event_record

    admin = _admin(college)
    with schema_context(college.schema_name):
        connection.tenant = college
        # Nothing listens on port 9 of loopback: every attempt fails at once.
        endpoint = webhook_endpoint_create(url="http://127.0.0.1:9/hooks?a=1&b=2", events=["user.created"],
                                           actor=admin)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(hours=25))
        delivery = webhook_event_record(event_type="user.created", data={})[0]
        sent = _sent(capture, lambda: webhook_delivery_attempt(delivery_id=delivery.pk))
    assert "127.0.0.1:9/hooks" in sent[0].body
    return sent


# --- the tests ---------------------------------------------------------------------------------------


def test_every_email_template_is_sent_here() -> None:
    found = [*ROOT.glob("*/templates/*/emails/*.txt"), *ROOT.glob("mooc_platform/*/templates/*/emails/*.txt")]
    on_disk = {str(p.relative_to(p.parents[2])).removesuffix(".txt") for p in found}
    assert on_disk == set(SENT)
    assert len(on_disk) == 28  # 27 e-mails (one invitation) and the body the lifecycle e-mail includes


EXPECTED_SUBJECTS = {
    ("en", "_invitation"): ["You are invited to Collège d'Orléans & Co"] * 3,
    ("fr", "_invitation"): ["Vous êtes invité(e) sur Collège d'Orléans & Co"] * 3,
    ("en", "_lifecycle"): [
        "Collège d'Orléans & Co: access suspended", "Collège d'Orléans & Co: access restored",
        "Collège d'Orléans & Co: subscription cancelled", "Collège d'Orléans & Co: access ended, data kept 180 days",
        "Collège d'Orléans & Co: your data will be destroyed in 30 days", "Collège d'Orléans & Co: welcome back",
        "Collège d'Orléans & Co: contract terminated"],
    ("en", "_export_ready"): ["Collège d'Orléans & Co: your data export is ready"],
    ("en", "_claims"): ["We received your claim {reference} — Collège d'Orléans & Co",
                        "Answer to your claim {reference} — Collège d'Orléans & Co"],
    ("fr", "_claims"): ["Nous avons bien reçu votre réclamation {reference} — Collège d'Orléans & Co",
                        "Réponse à votre réclamation {reference} — Collège d'Orléans & Co"],
    ("en", "_deactivation"): ["Your account on Collège d'Orléans & Co was deactivated"],
    ("en", "_webhook_disabled"): ["A webhook endpoint was disabled — Collège d'Orléans & Co"],
    ("fr", "_webhook_disabled"): ["Une adresse de webhook a été désactivée — Collège d'Orléans & Co"],
    ("fr", "_deactivation"): ["Votre compte sur Collège d'Orléans & Co a été désactivé"],
    ("en", "_moderation"): ["Your post was hidden by a moderator", "Your post was restored"],
    ("en", "_notification"): ["Collège d'Orléans & Co: You are enrolled in “Tom & Jerry's course”.",
                              "Collège d'Orléans & Co: 1 new notification"],
    ("fr", "_notification"): ["Collège d'Orléans & Co : Vous êtes inscrit à « Tom & Jerry's course ».",
                              "Collège d'Orléans & Co : 1 nouvelle notification"],
    ("en", "_storage_warning"): ["80 % of the storage quota used", "Storage quota reached"],
    ("en", "_invoices"): ["Invoice F2027-000001 — Collège d'Orléans & Co",
                          "Reminder: invoice F2027-000001 is due on March 12, 2027",
                          "Formal notice to pay invoice F2027-000001"],
    ("fr", "_invoices"): ["Facture F2027-000001 — Collège d'Orléans & Co",
                          "Rappel : facture F2027-000001 à régler avant le 12 mars 2027",
                          "Mise en demeure de payer la facture F2027-000001"],
    ("fr", "_lifecycle"): [
        "Collège d'Orléans & Co : accès suspendu", "Collège d'Orléans & Co : accès rétabli",
        "Collège d'Orléans & Co : abonnement résilié",
        "Collège d'Orléans & Co : accès terminé, données conservées 180 jours",
        "Collège d'Orléans & Co : vos données seront détruites dans 30 jours",
        "Collège d'Orléans & Co : bon retour parmi nous",
        "Collège d'Orléans & Co : contrat résilié par la plateforme"],
    ("en", "_non_payment"): ["Collège d'Orléans & Co: last warning before termination for non-payment"],
    ("fr", "_non_payment"): ["Collège d'Orléans & Co : dernier avertissement avant résiliation pour impayé"],
    ("en", "_plan_retirement"): ["Collège d'Orléans & Co: the Essential plan is being discontinued",
                                 "Collège d'Orléans & Co: access ends in 30 days — download an export"],
    ("fr", "_plan_retirement"): ["Collège d'Orléans & Co : fin de commercialisation de l'offre Essential",
                                 "Collège d'Orléans & Co : fin de l'accès dans 30 jours — téléchargez un export"],
    ("en", "_maintenance"): [
        "Scheduled maintenance on Saturday 20 February 2027 — Collège d'Orléans & Co",
        "Reminder: maintenance tomorrow, Saturday 20 February 2027, 14:00 CET — Collège d'Orléans & Co",
        "Maintenance cancelled: Saturday 20 February 2027, 14:00 CET — Collège d'Orléans & Co"],
}


@pytest.mark.parametrize("college", ["en", "fr"], indirect=True)
@pytest.mark.parametrize("scenario", sorted({f.__name__ for f in SENT.values()}))
def test_email_text_parts_are_plain_and_their_links_work(college, scenario, django_capture_on_commit_callbacks,
                                                         settings) -> None:
    settings.INVOICING_SELLER = {**settings.INVOICING_SELLER, "name": ORG}
    function = globals()[scenario]
    messages = function(college, django_capture_on_commit_callbacks)
    org_in = {"_moderation": "body", "_storage_warning": "body", "_invoices": None,
              "_terms_published": "body"}.get(scenario, "subject")
    subjects = _checked(messages, org_in=org_in)
    expected = EXPECTED_SUBJECTS.get((college.language, scenario))
    if expected is not None:
        reference = college.claims.get().reference if scenario == "_claims" else ""
        assert subjects == [subject.format(reference=reference) for subject in expected]
    if college.language == "fr":
        assert all(m.subject.isprintable() for m in messages)
