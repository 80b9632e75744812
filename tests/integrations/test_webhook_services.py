"""Outgoing webhooks, services: URLs accepted, events recorded from the real services, 24 h of failures disable
the endpoint and the administrators are e-mailed in their language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django_tenants.utils import schema_context

from courses.models import Course
from courses.services import enrollment_create, user_deactivate, user_invite
from integrations.errors import WebhookEventsError, WebhookUrlError
from integrations.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from integrations.services.webhooks import (
    webhook_delivery_attempt,
    webhook_endpoint_create,
    webhook_endpoint_update,
    webhook_event_record,
    webhook_url_check,
)
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tenants.services import tenant_reinstate, tenant_suspend

from .helpers import Receiver

T0 = datetime(2027, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("url", ["http://example.com/hook", "ftp://example.com/", "https://10.0.0.4/hook",
                                 "https://192.168.1.1/", "not a url", "https://169.254.169.254/latest/"])
def test_an_endpoint_must_be_public_https(url: str) -> None:
    with pytest.raises(WebhookUrlError):
        webhook_url_check(url=url)


def test_loopback_http_only_when_debug_or_tests_allow_it(settings) -> None:
    assert webhook_url_check(url="http://127.0.0.1:8123/x") == "http://127.0.0.1:8123/x"
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP, settings.DEBUG = False, False
    with pytest.raises(WebhookUrlError):
        webhook_url_check(url="http://127.0.0.1:8123/x")
    with pytest.raises(WebhookUrlError):
        webhook_url_check(url="https://localhost/x")
    assert webhook_url_check(url=" https://hooks.example.com/mooc ") == "https://hooks.example.com/mooc"


def test_events_must_be_known_and_at_least_one(in_demo) -> None:
    admin = User.objects.get(email="admin@demo.test")
    with pytest.raises(WebhookEventsError):
        webhook_endpoint_create(url="https://hooks.example.com/", events=[], actor=admin)
    with pytest.raises(WebhookEventsError):
        webhook_endpoint_create(url="https://hooks.example.com/", events=["user.exploded"], actor=admin)


def _endpoint(events: list[str], url: str = "https://hooks.example.com/mooc") -> WebhookEndpoint:
    return webhook_endpoint_create(url=url, events=events, actor=User.objects.get(email="admin@demo.test"))


def test_real_services_record_the_events_endpoints_subscribed_to(in_demo, queued: list[int],
                                                                  django_capture_on_commit_callbacks) -> None:
    subscribed = _endpoint(["user.created", "enrollment.created", "user.deactivated"])
    other = _endpoint(["invoice.paid"])
    admin = User.objects.get(email="admin@demo.test")
    course = Course.objects.filter(status=Course.Status.PUBLISHED).first()
    with django_capture_on_commit_callbacks(execute=True):
        user, _ = user_invite(email="hooked@demo.test", role="learner", full_name="Hook Ed", invited_by=admin)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment, created = enrollment_create(course=course, user=user, actor=admin)
    assert created
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(course=course, user=user, actor=admin)  # a repeat enrols nobody: no event
    with django_capture_on_commit_callbacks(execute=True):
        user_deactivate(user=user, actor=admin)

    events = list(WebhookEvent.objects.order_by("id"))
    assert [e.type for e in events] == ["user.created", "enrollment.created", "user.deactivated"]
    person = {"id": user.pk, "email": "hooked@demo.test", "full_name": "Hook Ed", "role": "learner"}
    assert events[0].data == {"user": person}
    assert events[1].data == {"enrollment_id": enrollment.pk, "course_id": course.pk, "course_title": course.title,
                              "user": person}
    assert set(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == {subscribed.pk}
    assert sorted(queued) == sorted(WebhookDelivery.objects.values_list("id", flat=True))
    assert not WebhookDelivery.objects.filter(endpoint=other).exists()


def test_a_lifecycle_change_reaches_the_tenants_endpoint(demo: Tenant, queued: list[int],
                                                         django_capture_on_commit_callbacks) -> None:
    with schema_context(demo.schema_name):
        _endpoint(["tenant.lifecycle_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        tenant_suspend(tenant=demo, reason="non-payment", notify=False)
    with django_capture_on_commit_callbacks(execute=True):
        tenant_reinstate(tenant=demo, notify=False)
    with schema_context(demo.schema_name):
        data = [e.data for e in WebhookEvent.objects.order_by("id")]
    assert data == [
        {"action": "tenant.suspended", "state_before": "active", "state_after": "suspended", "reason": "non-payment"},
        {"action": "tenant.reinstated", "state_before": "suspended", "state_after": "active", "reason": ""},
    ]
    assert len(queued) == 2


def test_an_event_without_subscriber_records_nothing(in_demo, queued: list[int],
                                                     django_capture_on_commit_callbacks) -> None:
    _endpoint(["invoice.paid"])
    admin = User.objects.get(email="admin@demo.test")
    with django_capture_on_commit_callbacks(execute=True):
        user_invite(email="nobody-listens@demo.test", role="learner", invited_by=admin)
    assert not WebhookEvent.objects.exists() and queued == []


def test_failing_for_24_hours_disables_the_endpoint_and_emails_the_administrators(
        in_demo, receiver: Receiver, queued: list[int], django_capture_on_commit_callbacks) -> None:
    receiver.answers.extend([(500, "boom")] * 10)
    endpoint = _endpoint(["user.created"], url=receiver.url)
    with time_machine.travel(T0, tick=False):
        first = webhook_event_record(event_type="user.created", data={"n": 1})[0]
        assert webhook_delivery_attempt(delivery_id=first.pk) == timedelta(seconds=0.5)
    endpoint.refresh_from_db()
    assert endpoint.failing_since == T0 and endpoint.is_active
    later = T0 + timedelta(hours=23, minutes=59)
    with time_machine.travel(later, tick=False):
        second = webhook_event_record(event_type="user.created", data={"n": 2})[0]
        with django_capture_on_commit_callbacks(execute=True):
            webhook_delivery_attempt(delivery_id=second.pk)
    endpoint.refresh_from_db()
    assert endpoint.is_active and mail.outbox == []
    with time_machine.travel(T0 + timedelta(hours=24), tick=False):
        third = webhook_event_record(event_type="user.created", data={"n": 3})[0]
        with django_capture_on_commit_callbacks(execute=True):
            assert webhook_delivery_attempt(delivery_id=third.pk) is None
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at == T0 + timedelta(hours=24)
    assert set(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("status", flat=True)) == {"failed"}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["admin@demo.test"]
    assert message.subject.startswith("A webhook endpoint was disabled — ")
    named = receiver.url.removeprefix("http://")
    assert f"Every delivery to the webhook endpoint {named} has failed for 24 hours" in message.body
    assert f"/integrations/webhooks/{endpoint.pk}/" in message.body
    assert message.alternatives[0][1] == "text/html" and named in message.alternatives[0][0]
    # A disabled endpoint gets no new event; enabling it again starts the failure count afresh.
    assert webhook_event_record(event_type="user.created", data={}) == []
    webhook_endpoint_update(endpoint=endpoint, actor=User.objects.get(email="admin@demo.test"), is_active=True)
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.failing_since is None and endpoint.disabled_at is None


def test_the_disabled_endpoint_email_is_in_the_administrators_language(
        acme: Tenant, receiver: Receiver, queued: list[int], django_capture_on_commit_callbacks) -> None:
    receiver.answers.extend([(502, "")] * 3)
    with schema_context(acme.schema_name):
        User.objects.filter(email="admin@acme.test").update(language="fr")
        admin = User.objects.get(email="admin@acme.test")
        webhook_endpoint_create(url=receiver.url, events=["invoice.paid"], actor=admin)
        with time_machine.travel(T0, tick=False):
            webhook_delivery_attempt(delivery_id=webhook_event_record(event_type="invoice.paid", data={})[0].pk)
        with time_machine.travel(T0 + timedelta(hours=25), tick=False):
            delivery = webhook_event_record(event_type="invoice.paid", data={})[0]
            with django_capture_on_commit_callbacks(execute=True):
                webhook_delivery_attempt(delivery_id=delivery.pk)
    assert admin.language == "fr"
    assert [m.to for m in mail.outbox] == [["admin@acme.test"]]
    assert mail.outbox[0].subject.startswith("Une adresse de webhook a été désactivée — ")


def test_a_delivery_gives_up_after_24_hours_of_retries(in_demo, receiver: Receiver, queued: list[int]) -> None:
    receiver.answers.extend([(500, "no")] * 3)
    _endpoint(["user.created"], url=receiver.url)
    with time_machine.travel(T0, tick=False):
        delivery = webhook_event_record(event_type="user.created", data={})[0]
        assert webhook_delivery_attempt(delivery_id=delivery.pk) == timedelta(seconds=0.5)
        assert webhook_delivery_attempt(delivery_id=delivery.pk) == timedelta(seconds=1)
    with time_machine.travel(T0 + timedelta(hours=23, minutes=59, seconds=59), tick=False):
        assert webhook_delivery_attempt(delivery_id=delivery.pk) is None  # the next one would be past 24 h
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.attempts_count == 3
    assert Decimal(delivery.attempts.count()) == Decimal(3)


def test_invoices_issued_and_paid_and_maintenance_reach_the_organisations_endpoint(
        demo: Tenant, acme: Tenant, queued: list[int], django_capture_on_commit_callbacks) -> None:
    """Events of `public` services (invoicing, maintenance) go to the tenant concerned, in one hand-over."""
    from invoicing.services import invoice_issue, payment_record
    from tests.factories import MaintenanceWindowFactory
    from tests.invoicing.helpers import subscription_rows_for

    with schema_context(demo.schema_name):
        _endpoint(["invoice.issued", "invoice.paid", "maintenance.scheduled"])
    subscription = subscription_rows_for(demo)
    with time_machine.travel(T0, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            invoice = invoice_issue(subscription=subscription)
        with django_capture_on_commit_callbacks(execute=True):
            payment_record(invoice=invoice, amount=invoice.total_incl_tax)
        start = datetime(2027, 3, 6, 13, 0, tzinfo=UTC)  # a Saturday, 14:00 in Paris
        with django_capture_on_commit_callbacks(execute=True):
            window = MaintenanceWindowFactory(start=start, tenants=[demo, acme], now=T0)
    with schema_context(demo.schema_name):
        events = [(e.type, e.data) for e in WebhookEvent.objects.order_by("id")]
    data = {"invoice": {"id": invoice.pk, "number": invoice.number, "kind": "invoice", "issue_date": "2027-03-02",
                        "due_date": invoice.due_date.isoformat(), "total_incl_tax": str(invoice.total_incl_tax),
                        "currency": "EUR"}}
    assert events == [
        ("invoice.issued", data), ("invoice.paid", data),
        ("maintenance.scheduled", {"window_id": window.pk, "kind": "planned", "start": "2027-03-06T13:00:00+00:00",
                                   "end": "2027-03-06T19:00:00+00:00", "summary": "PostgreSQL upgrade"})]
    assert len(queued) == 3
    with schema_context(acme.schema_name):  # acme has no endpoint: nothing recorded there
        assert not WebhookEvent.objects.exists()


def _resolving(monkeypatch: pytest.MonkeyPatch, names: dict[str, list[str]]) -> None:
    """The DNS answers for these names (other names resolve as usual)."""
    import socket

    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host in names:
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, 0))
                    for address in names[host]]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_public_name_pointed_at_an_internal_address_is_refused_at_delivery(
        in_demo, queued: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The name passes the URL check when registered; at delivery it resolves into our own network."""
    _endpoint(["user.created"], url="https://rebound.example.com/hook")
    _resolving(monkeypatch, {"rebound.example.com": ["93.184.216.34", "10.20.30.40"]})
    with time_machine.travel(T0, tick=False):
        delivery = webhook_event_record(event_type="user.created", data={})[0]
        assert webhook_delivery_attempt(delivery_id=delivery.pk) == timedelta(seconds=0.5)  # retried later
    attempt = delivery.attempts.get()
    assert attempt.response_status is None
    assert attempt.error == "refused: the host resolves to 10.20.30.40, not an internet address"


def test_only_internet_addresses_pass_the_resolution_check(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    from integrations.services.webhooks import _private_address_of

    _resolving(monkeypatch, {"public.example.com": ["93.184.216.34"], "metadata.example.com": ["169.254.169.254"],
                             "mixed.example.com": ["93.184.216.34", "192.168.0.7"]})
    assert _private_address_of("public.example.com") is None
    assert _private_address_of("metadata.example.com") == "169.254.169.254"
    assert _private_address_of("mixed.example.com") == "192.168.0.7"
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP, settings.DEBUG = True, False
    assert _private_address_of("127.0.0.1") is None  # the test receiver, where tests and development allow it
    settings.WEBHOOK_ALLOW_LOOPBACK_HTTP = False
    assert _private_address_of("127.0.0.1") == "127.0.0.1"
