"""Cancel and resubscribe take their locks in one order, tenant then subscription (issue 9 item 13): run at the
same moment on two database connections, they serialise instead of deadlocking."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

from django.db import connection

from invoicing import services
from invoicing.models import BillingPeriod, Subscription
from tenants.models import Tenant
from tests.invoicing.conftest import unique_slug


def _someone_waits_for_a_lock(timeout: float = 10.0) -> bool:
    """True once another connection of this database waits for a row lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is a snapshot per transaction
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database() AND pid <> pg_backend_pid()")
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def _others_done(timeout: float = 15.0) -> None:
    """Wait until no other connection of this database runs a statement: what the commits above handed to
    background work (the session Celery worker, if one runs) must not meet the teardown's TRUNCATE (a
    deadlock seen once in a full run)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                           "AND datname = current_database() AND pid <> pg_backend_pid()")
            if not cursor.fetchone()[0]:
                return
        time.sleep(0.05)


def test_cancel_and_resubscribe_at_the_same_moment_serialise_without_a_deadlock(transactional_db,
                                                                                 monkeypatch) -> None:
    slug = unique_slug("lock")
    plan = services.plan_create(code=unique_slug("plan"), name="Essential", billing_period=BillingPeriod.MONTHLY,
                                flat_amount=Decimal("100.00"), per_seat_amount=Decimal("2.80"), seats=50)
    quote = services.quote_create(plan=plan, organisation_name="Lock Order SA", billing_address="Lyon",
                                  country="FR", contact_name="L", contact_email=f"l@{slug}.example", wished_slug=slug)
    quote = services.quote_send(quote=quote, signing_base_url="http://localhost")
    signed = services.quote_sign(token=quote.token, signer_name="L", signer_title="CEO", signer_email="l@x.example",
                                 accept_terms=True)
    resubscribe_holds_the_tenant = threading.Event()
    real_select_for_update = Tenant.objects.select_for_update
    paused: list[bool] = []

    class _PauseAfterLock:
        """The resubscription's first lock (the tenant row): taken, then held until the cancellation waits."""

        def __init__(self, queryset):
            self.queryset = queryset

        def get(self, **kwargs):
            row = self.queryset.get(**kwargs)
            paused.append(True)
            resubscribe_holds_the_tenant.set()
            assert _someone_waits_for_a_lock()
            time.sleep(0.3)  # the cancellation's statement has taken what it could before waiting
            return row

    def select_for_update(*args, **kwargs):
        queryset = real_select_for_update(*args, **kwargs)
        if threading.current_thread().name == "resubscribe" and not paused:
            return _PauseAfterLock(queryset)
        return queryset

    monkeypatch.setattr(Tenant.objects, "select_for_update", select_for_update)
    outcomes: dict[str, str] = {}

    def cancel() -> None:
        resubscribe_holds_the_tenant.wait(10)
        try:
            services.subscription_cancel(subscription=signed.subscription)
            outcomes["cancel"] = "cancelled"
        except Exception as exc:  # the outcome is the assertion
            outcomes["cancel"] = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    def resubscribe() -> None:
        try:
            services.subscription_resubscribe(tenant=signed.tenant, accept_terms=True, actor=None)
            outcomes["resubscribe"] = "resubscribed"
        except Exception as exc:
            outcomes["resubscribe"] = type(exc).__name__
        finally:
            resubscribe_holds_the_tenant.set()
            connection.close()

    threads = [threading.Thread(target=cancel, name="cancel"), threading.Thread(target=resubscribe,
                                                                                name="resubscribe")]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        # The resubscription came first (the tenant was still active: refused), the cancellation waited for it.
        assert outcomes == {"cancel": "cancelled", "resubscribe": "IllegalTransitionError"}
        assert Tenant.objects.get(pk=signed.tenant.pk).state == Tenant.State.CANCELLED
        assert list(Subscription.objects.filter(tenant=signed.tenant).values_list("status", flat=True)) == [
            "cancelled"]
    finally:
        _others_done()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "t_{slug.replace("-", "_")}" CASCADE')
        _others_done()
