"""Amendment quotes (issue 9 item 12): a billed limit of a running subscription — its seats or its
storage quota — changes only when the customer signs a quote for it, never silently from the console.

An amendment is an ordinary quote (sent, signed with the same evidence, frozen once signed) that points
at the subscription it amends. Signing it applies the new limits to the tenant (audited, through
`tenants.services.tenant_limits_set`) and makes it the subscription's quote: from the next period on,
invoices carry its lines — at the locked prices during the initial term (SPEC R7), at the prices in force
after it. The period already invoiced is not re-invoiced."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mooc_platform.business_time import business_date
from mooc_platform.errors import ApplicationError, NotFoundError
from tenants.models import Tenant
from tenants.services import audit_record, tenant_limits_set

from .errors import Code
from .models import Quote, QuoteLine, Subscription
from .money import money_round


def quote_amendment_create(*, tenant: Tenant, seats: int, storage_quota_bytes: int, actor: Any,
                           valid_until: date | None = None, now: datetime | None = None) -> Quote:
    """A draft quote changing the seats and/or storage quota of the tenant's active subscription."""
    from .services.plans import _recurring_lines, plan_price_current

    now = now or timezone.now()
    today = business_date(now)
    if not isinstance(seats, int) or seats < 1 or not isinstance(storage_quota_bytes, int) or storage_quota_bytes < 1:
        raise ApplicationError(_("Seats and storage quota must be positive whole numbers."), code=Code.AMENDMENT_LIMITS,
                               details={"seats": seats, "storage_quota_bytes": storage_quota_bytes})
    if valid_until is not None and valid_until < today:
        raise ApplicationError(_("The validity date cannot be in the past."), code=Code.INVALID_VALID_UNTIL,
                               details={"valid_until": valid_until.isoformat()})
    subscription = (Subscription.objects.select_related("quote__plan_price__plan", "plan")
                    .filter(tenant=tenant, status=Subscription.Status.ACTIVE).order_by("-id").first())
    if subscription is None:
        raise NotFoundError(_("This organisation has no active subscription to amend."), code=Code.NO_SUBSCRIPTION)
    current = subscription.quote
    if seats == subscription.seats and storage_quota_bytes == tenant.storage_quota_bytes:
        raise ApplicationError(_("Nothing changes: these are the current limits."), code=Code.NOTHING_TO_AMEND)
    # The price lock of the initial term holds for the amended seats too (GCS art. 11).
    price = current.plan_price if today < subscription.initial_period_ends_on else plan_price_current(
        plan=subscription.plan, at=now)
    with transaction.atomic():
        quote = Quote.objects.create(
            plan_price=price, token=secrets.token_urlsafe(32), organisation_name=subscription.buyer_name,
            billing_address=subscription.buyer_address, country=subscription.buyer_country,
            vat_number=subscription.buyer_vat_number, siren=subscription.buyer_siren,
            contact_name=current.contact_name, contact_email=subscription.buyer_email, language=tenant.language,
            wished_slug=tenant.slug, billing_period=subscription.billing_period, seats=seats,
            storage_quota_bytes=storage_quota_bytes, custom_domains_allowed=tenant.custom_domains_allowed,
            initial_term_months=current.initial_term_months,
            valid_until=valid_until or today + timedelta(days=settings.INVOICING_QUOTE_VALIDITY_DAYS),
            terms_version=settings.INVOICING_TERMS_VERSION, created_by_email=getattr(actor, "email", "") or "",
            amends=subscription,
        )
        QuoteLine.objects.bulk_create([
            QuoteLine(quote=quote, position=i, kind=QuoteLine.Kind.RECURRING, description=description,
                      quantity=quantity, unit_price=unit_price, amount=money_round(quantity * unit_price))
            for i, (description, quantity, unit_price) in enumerate(_recurring_lines(price=price, seats=seats),
                                                                    start=1)
        ])
        audit_record(action="quote.amendment_created", actor=actor, tenant=tenant, target=quote,
                     before={"seats": subscription.seats, "storage_quota_bytes": tenant.storage_quota_bytes},
                     after={"status": quote.status, "amends": subscription.pk, "seats": seats,
                            "storage_quota_bytes": storage_quota_bytes})
    return quote


def subscription_amendment_apply(*, quote: Quote, now: datetime) -> Subscription:
    """Inside `quote_sign`'s transaction: the signed amendment becomes the subscription's quote and its
    limits apply to the tenant at once."""
    subscription = Subscription.objects.select_for_update().select_related("tenant").get(pk=quote.amends_id)
    if subscription.status != Subscription.Status.ACTIVE:
        raise ApplicationError(_("The subscription this quote amends has ended."), code=Code.SUBSCRIPTION_ENDED)
    before = {"seats": subscription.seats, "quote": subscription.quote_id}
    subscription.seats, subscription.quote = quote.seats, quote
    subscription.save(update_fields=["seats", "quote"])
    audit_record(action="subscription.amended", tenant=subscription.tenant, target=subscription, before=before,
                 after={"seats": quote.seats, "quote": quote.pk, "storage_quota_bytes": quote.storage_quota_bytes})
    tenant_limits_set(tenant=subscription.tenant, seat_limit=quote.seats,
                      storage_quota_bytes=quote.storage_quota_bytes, reason=f"amendment {quote.reference} signed")
    return subscription
