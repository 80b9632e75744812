"""SPEC R23 — renewal notice (`001_…` §5.2, §7): INVOICING_RENEWAL_NOTICE_DAYS (default 60) Paris days before each
term ends, the administrators are told "your subscription renews on D for the amount A (excl. tax); cancel before D
to stop it", with the old and the new price when a new one applies at the renewal; once per term (unique
constraint), by the beat task and `run_renewal_notices [--dry-run]`. The clock moves with time-machine, across the
change to summer time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django_tenants.utils import schema_context

from invoicing import services
from invoicing.models import RenewalNotice, Subscription
from mooc_platform.accounts.models import User
from tenants.models import AuditEvent, Tenant
from tenants.routing import tenant_cache_clear
from tests.invoicing.helpers import paris, sign


@pytest.fixture
def signed(quote_sent, clock):
    """Signed 28/05/2026 10:00 Paris: 240.00 excl. tax a month, prices locked for the initial term of 12 months,
    which ends (renews) on 28/05/2027; its notice is due on 29/03/2027, the day after the change to summer time."""
    clock(paris(2026, 5, 28, 10))
    result = sign(quote_sent(language="en"))
    Tenant.objects.filter(pk=result.tenant.pk).update(language="en")
    mail.outbox.clear()
    return result


def _renewal_mails() -> list:
    return [m for m in mail.outbox if "renews on" in m.subject or "renouvelle le" in m.subject]


def test_notice_goes_60_paris_days_before_the_term_ends_across_dst_with_old_and_new_prices(signed, clock) -> None:
    clock(paris(2027, 1, 10, 9))
    services.plan_price_change(plan=signed.subscription.plan, flat_amount="120.00", valid_from=paris(2027, 5, 1))
    clock(paris(2027, 3, 28, 23, 30))  # summer time since 02:00 that night; still 28/03 in Paris
    assert services.renewal_notices_send_due().sent == 0 and _renewal_mails() == []
    clock(paris(2027, 3, 29, 0, 30))  # 28/03 22:30 UTC: already the 29th in Paris
    result = services.renewal_notices_send_due()
    assert (result.created, result.sent) == (1, 1)
    [message] = _renewal_mails()
    assert message.to == ["claire@tours.example"]
    assert message.subject == "Your subscription for Université de Tours renews on May 28, 2027"
    assert ("Your Essential subscription renews on May 28, 2027 for the amount of 260.00 € excluding tax per billing "
            "period (monthly).") in message.body
    assert ("A new price applies at this renewal: 240.00 € excluding tax per period until then, 260.00 € excluding "
            "tax per period from the renewal.") in message.body
    assert "Cancel before May 28, 2027 (by May 27, 2027 at the latest) to stop it" in message.body
    html = message.alternatives[0][0]
    assert "<strong>A new price applies at this renewal: 240.00 €" in html and "/billing/" in html
    notice = RenewalNotice.objects.get()
    assert (notice.term_ends_on, notice.amount_excl_tax, notice.previous_amount_excl_tax, notice.recipients,
            notice.sent_at) == (date(2027, 5, 28), Decimal("260.00"), Decimal("240.00"), ["claire@tours.example"],
                                paris(2027, 3, 29, 0, 30))
    assert AuditEvent.objects.get(action="subscription.renewal_notice_sent").after["term_ends_on"] == "2027-05-28"
    for day in (29, 30, 31):  # later runs the same term: nothing more
        clock(paris(2027, 3, day, 12))
        assert services.renewal_notices_send_due().sent == 0
    assert len(_renewal_mails()) == 1


def test_next_term_gets_its_own_notice_and_the_same_price_is_stated_alone_in_french(signed, clock) -> None:
    Tenant.objects.filter(pk=signed.tenant.pk).update(language="fr")
    clock(paris(2027, 3, 29, 8))
    services.renewal_notices_send_due()
    [first] = _renewal_mails()
    assert first.subject == "Votre abonnement pour Université de Tours se renouvelle le 28 mai 2027"
    assert ("Votre abonnement Essential se renouvelle le 28 mai 2027 pour un montant de 240,00 € hors taxes par "
            "période de facturation (mensuel).") in first.body
    assert "nouveau prix" not in first.body
    assert "Résiliez avant le 28 mai 2027 (au plus tard le 27 mai 2027) pour l’arrêter" in first.body
    clock(paris(2028, 3, 28, 12))  # 2028-05-28 minus 60 days is 29/03 (leap year): not yet
    assert services.renewal_notices_send_due().sent == 0
    clock(paris(2028, 3, 29, 12))
    assert services.renewal_notices_send_due().sent == 1
    assert list(RenewalNotice.objects.order_by("term_ends_on").values_list("term_ends_on", flat=True)) == [
        date(2027, 5, 28), date(2028, 5, 28)]


def test_cancelled_subscription_gets_no_notice_and_the_number_of_days_is_a_setting(signed, clock, settings,
                                                                                   quote_sent) -> None:
    settings.INVOICING_RENEWAL_NOTICE_DAYS = 30
    clock(paris(2027, 4, 27, 12))
    assert services.renewal_notices_send_due().created == 0  # 31 days before
    clock(paris(2027, 4, 28, 12))
    assert services.renewal_notices_send_due().created == 1
    other = sign(quote_sent(slug="orleans"))
    services.subscription_cancel(subscription=Subscription.objects.get(pk=other.subscription.pk))
    clock(paris(2027, 4, 28, 12))
    settings.INVOICING_RENEWAL_NOTICE_DAYS = 400
    assert services.renewal_notices_send_due().created == 0


def test_the_database_keeps_one_notice_per_term(signed, clock) -> None:
    clock(paris(2027, 3, 29, 8))
    services.renewal_notices_send_due()
    notice = RenewalNotice.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        RenewalNotice.objects.create(subscription=notice.subscription, term_ends_on=notice.term_ends_on,
                                     amount_excl_tax="1.00", previous_amount_excl_tax="1.00",
                                     created_at=notice.created_at)


def test_command_dry_run_lists_and_sends_nothing_then_the_run_sends_once(signed, clock) -> None:
    clock(paris(2027, 4, 2, 7))
    out = StringIO()
    call_command("run_renewal_notices", "--dry-run", stdout=out)
    assert "dry run: 1 renewal notice(s) to send" in out.getvalue()
    assert ("would notify Université de Tours: renews on 2027-05-28 for 240.00 EUR excl. tax per period"
            in out.getvalue())
    assert not RenewalNotice.objects.exists() and _renewal_mails() == []
    call_command("run_renewal_notices", stdout=out)
    call_command("run_renewal_notices", stdout=out)
    assert "renewal notices recorded: 1; sent: 1" in out.getvalue()
    assert "renewal notices recorded: 0; sent: 0" in out.getvalue()
    assert len(_renewal_mails()) == 1


def test_a_failed_email_is_retried_by_the_next_run(signed, clock, monkeypatch) -> None:
    clock(paris(2027, 4, 2, 7))
    monkeypatch.setattr(services.renewals, "email_send", _smtp_down)
    assert services.renewal_notices_send_due().sent == 0
    assert RenewalNotice.objects.get().sent_at is None
    monkeypatch.undo()
    assert services.renewal_notices_send_due().sent == 1 and len(_renewal_mails()) == 1


def _smtp_down(**kwargs: object) -> int:
    raise ConnectionRefusedError("SMTP down")


def test_billing_page_states_the_next_renewal(signed, clock) -> None:
    clock(paris(2026, 6, 1, 12))
    tenant_cache_clear()
    client = Client(HTTP_HOST=f"{signed.tenant.slug}.localhost")
    with schema_context(signed.tenant.schema_name):
        client.force_login(User.objects.get(email="claire@tours.example"))
    page = client.get("/billing/").content.decode()
    assert ('data-testid="renewal">Renews on May 28, 2027 for 240.00 € excluding tax per period; cancel before '
            "May 28, 2027 to stop it.") in page
