"""The scheduled sends of SPEC R22–R23 run on a real Celery worker: the beat task `invoicing.renewal_notices_send`
sends a due renewal notice once (a second run sends nothing), and `invoicing.terms_announcements_send` tells the
administrators of live customers of a new terms version once."""

from __future__ import annotations

import time

import time_machine
from django.core import mail

from invoicing import services
from invoicing.models import RenewalNotice, TermsAnnouncement
from invoicing.tasks import renewal_notices_send, terms_announcements_send
from tests.factories import PlanFactory, QuoteFactory
from tests.invoicing.helpers import paris, sign, unique_slug


def test_beat_tasks_send_renewal_notices_and_terms_announcements_once(transactional_db, celery_worker_session) -> None:
    with time_machine.travel(paris(2026, 5, 28, 10), tick=False):
        plan = PlanFactory(code=unique_slug("plan"))
        slug = unique_slug("worker")
        signed = sign(QuoteFactory(plan=plan, wished_slug=slug, contact_email=f"claire@{slug}.example"))
    mail.outbox.clear()
    with time_machine.travel(paris(2027, 3, 29, 0, 30), tick=False):
        assert renewal_notices_send.delay().get(timeout=60) == {"created": 1, "sent": 1}
        assert renewal_notices_send.delay().get(timeout=60) == {"created": 0, "sent": 0}
    notice = RenewalNotice.objects.get(subscription=signed.subscription)
    assert notice.recipients == [f"claire@{slug}.example"]
    renews = ("May 28, 2027", "28 mai 2027")  # in the organisation's language
    assert len([m for m in mail.outbox
                if m.to == [f"claire@{slug}.example"] and any(d in m.subject for d in renews)]) == 1
    # Publishing queues the announcement on commit: the worker sends it, once per live customer.
    terms = services.terms_version_publish(version=unique_slug("GCS"), text_fr="Article 1.", text_en="Article 1.")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not TermsAnnouncement.objects.filter(
            terms=terms, tenant=signed.tenant, sent_at__isnull=False).exists():
        time.sleep(0.2)
    sent = TermsAnnouncement.objects.filter(terms=terms, sent_at__isnull=False)
    assert {a.tenant.slug for a in sent} >= {"demo", "acme", slug}
    assert sent.get(tenant=signed.tenant).recipients == [f"claire@{slug}.example"]
    assert terms_announcements_send.delay(terms_id=terms.pk).get(timeout=60) == {"created": 0, "sent": 0}
    assert len([m for m in mail.outbox if m.to == [f"claire@{slug}.example"] and terms.version in m.subject]) == 1
