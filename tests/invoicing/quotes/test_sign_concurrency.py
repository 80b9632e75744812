"""A double click on "Sign": two requests at once, on two database connections, make one tenant (SPEC R6)."""

from __future__ import annotations

import threading
from decimal import Decimal

from django.db import connection

from invoicing import services
from invoicing.models import BillingPeriod, Invoice, Subscription
from tenants.models import AuditEvent, Tenant
from tests.invoicing.helpers import unique_slug


def test_two_simultaneous_signatures_make_one_tenant_one_subscription_one_invoice(transactional_db) -> None:
    slug = unique_slug("dbl")
    plan = services.plan_create(code=unique_slug("plan"), name="Essential", billing_period=BillingPeriod.MONTHLY,
                                flat_amount=Decimal("100.00"), per_seat_amount=Decimal("2.80"), seats=50)
    quote = services.quote_create(plan=plan, organisation_name="Double Click SA", billing_address="Lyon",
                                  country="FR", contact_name="D", contact_email=f"d@{slug}.example", wished_slug=slug)
    quote = services.quote_send(quote=quote, signing_base_url="http://localhost")
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def click() -> None:
        try:
            barrier.wait()
            services.quote_sign(token=quote.token, signer_name="D", signer_title="CEO", signer_email="d@x.example",
                                accept_terms=True)
            outcomes.append("signed")
        except services.QuoteAlreadySignedError:
            outcomes.append("already signed")
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["already signed", "signed"]
        assert Tenant.objects.filter(slug=slug).count() == 1
        assert Subscription.objects.filter(quote=quote).count() == 1
        assert list(Invoice.objects.values_list("number", flat=True)) == [Invoice.objects.get().number]
        actions = set(AuditEvent.objects.values_list("action", flat=True))
        assert {"quote.signed", "tenant.provisioned", "subscription.created", "invoice.issued"} <= actions
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "t_{slug.replace("-", "_")}" CASCADE')
