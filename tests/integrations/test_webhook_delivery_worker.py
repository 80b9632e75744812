"""Issue 17 "Done when" (real Celery worker, receiver on loopback): a delivery is signed so that the receiver's
recomputation verifies it; a 500 is retried with backoff until the receiver accepts; the log shows each attempt."""

from __future__ import annotations

import json
import time

from django.db import transaction
from django_tenants.utils import schema_context

from integrations.models import WebhookDelivery, WebhookEvent
from integrations.services.webhooks import webhook_endpoint_create, webhook_event_record
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tests.helpers import client_for

from .helpers import Receiver, signature_valid


def _wait_for(predicate, seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_a_500_is_retried_by_the_worker_every_attempt_signed_and_logged(
        celery_worker_session, transactional_db, receiver: Receiver) -> None:
    demo = Tenant.objects.get(slug="demo")
    receiver.answers.extend([(500, "database down, try later"), (503, "still down")])
    with schema_context(demo.schema_name):
        admin = User.objects.get(email="admin@demo.test")
        endpoint = webhook_endpoint_create(url=receiver.url, events=["user.created"], actor=admin,
                                           description="worker test")
        with transaction.atomic():
            delivery = webhook_event_record(event_type="user.created", data={"user": {
                "id": 7, "email": "new@demo.test", "full_name": "New Person", "role": "learner"}})[0]

        def succeeded() -> bool:
            delivery.refresh_from_db()
            return delivery.status == WebhookDelivery.Status.SUCCEEDED

        _wait_for(succeeded)
        attempts = list(delivery.attempts.order_by("number"))
        event_id = str(delivery.event.event_id)

    assert [a.response_status for a in attempts] == [500, 503, 200]
    assert [a.response_body for a in attempts] == ["database down, try later", "still down", "ok"]
    assert all(a.duration_ms < 5000 and not a.manual for a in attempts)
    assert delivery.attempts_count == 3 and delivery.next_attempt_at is None
    # Exponential backoff (0.5 s, then 1 s in the test settings) between the attempts.
    assert (attempts[1].attempted_at - attempts[0].attempted_at).total_seconds() >= 0.5
    assert (attempts[2].attempted_at - attempts[1].attempted_at).total_seconds() >= 1.0

    assert len(receiver.received) == 3
    now = time.time()
    for received in receiver.received:
        assert signature_valid(secret=endpoint.secret, received=received, now=now)
        assert received.headers["Webhook-Id"] == event_id
        body = json.loads(received.body)
        assert body["type"] == "user.created" and body["id"] == event_id
        assert body["data"] == {"user": {"id": 7, "email": "new@demo.test", "full_name": "New Person",
                                         "role": "learner"}}
        assert body["tenant"] == demo.schema_name
    # Another secret, or the body changed by one byte, does not verify.
    tampered = receiver.received[0]
    tampered.body = tampered.body.replace(b"New Person", b"New Persom")
    assert not signature_valid(secret=endpoint.secret, received=tampered, now=now)
    assert not signature_valid(secret="whsec_other", received=receiver.received[1], now=now)
    # Replay-safe: the same request presented 10 minutes later is refused by the documented tolerance.
    assert not signature_valid(secret=endpoint.secret, received=receiver.received[2], now=now + 600)

    # The delivery log, in the API: each attempt with its code, body excerpt and duration.
    api = client_for("demo.localhost", "admin@demo.test")
    log = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()["results"]
    assert [(a["number"], a["response_status"], a["response_body"]) for a in log[0]["attempts"]] == [
        (3, 200, "ok"), (2, 503, "still down"), (1, 500, "database down, try later")]
    assert log[0]["status"] == "succeeded" and log[0]["event_type"] == "user.created"

    # Replay from the API: one more, manual, attempt with the same event id and a fresh signature.
    response = api.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/")
    assert response.status_code == 202, response.content
    _wait_for(lambda: len(receiver.received) == 4)
    with schema_context(demo.schema_name):
        _wait_for(lambda: delivery.attempts.count() == 4)
        replay = delivery.attempts.order_by("-number").first()
    assert replay.manual and replay.response_status == 200
    assert receiver.received[3].headers["Webhook-Id"] == event_id
    assert signature_valid(secret=endpoint.secret, received=receiver.received[3], now=time.time())
    with schema_context(demo.schema_name):  # committed rows of a tenant schema stay: leave none behind
        WebhookEvent.objects.filter(deliveries__endpoint=endpoint).delete()
        endpoint.delete()
