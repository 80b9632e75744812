"""An organisation's own privacy notice, written by its administrators, shown at `/privacy/` on its host."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant


class TenantPrivacyNotice(models.Model):
    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="privacy_notice")
    text = models.TextField(blank=True, help_text=_("Plain text; blank lines separate paragraphs."))
    updated_at = models.DateTimeField()
    # Who wrote it last: an administrator of the tenant (by value; emptied by the purge's anonymisation).
    updated_by_email = models.CharField(max_length=254, blank=True)

    def __str__(self) -> str:
        return f"Privacy notice of {self.tenant_id}"
