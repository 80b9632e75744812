"""A custom domain's verification and its audit event are one transaction (issue 9 item 13)."""

from __future__ import annotations

import pytest

import tenants.services.domains
from tenants.models import AuditEvent, CustomDomain
from tenants.services import custom_domain_request, custom_domain_verify


def test_verification_is_not_recorded_without_its_audit_event(make_tenant, monkeypatch) -> None:
    tenant = make_tenant(custom_domains_allowed=True)
    custom = custom_domain_request(tenant=tenant, domain="learn.atomic.example")

    def audit_down(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(tenants.services.domains, "audit_record", audit_down)
    with pytest.raises(RuntimeError):
        custom_domain_verify(custom_domain=custom, txt_records=[custom.verification_token])
    assert CustomDomain.objects.get(pk=custom.pk).verified_at is None

    monkeypatch.undo()
    custom = CustomDomain.objects.get(pk=custom.pk)
    verified = custom_domain_verify(custom_domain=custom, txt_records=[custom.verification_token])
    again = custom_domain_verify(custom_domain=CustomDomain.objects.get(pk=custom.pk),
                                 txt_records=[custom.verification_token])
    assert again.verified_at == verified.verified_at == CustomDomain.objects.get(pk=custom.pk).verified_at
    assert AuditEvent.objects.filter(action="custom_domain.verified", target_id=str(custom.pk)).count() == 1
