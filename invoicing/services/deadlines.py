"""The contract's deadlines that are not billing (SPEC R24, R27), one sweep for Celery beat
(`invoicing.run_contract_deadlines`) and `manage.py run_contract_deadlines [--dry-run]`: warnings and terminations
of non-payers; plan retirements' export reminders. Each e-mail goes out exactly once (a recorded row or date)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .non_payment import NonPaymentRunReport, non_payment_terminations_run
from .retirements import RetirementRunReport, plan_retirement_reminders_run


@dataclass
class ContractDeadlinesReport:
    now: datetime
    dry_run: bool
    non_payment: NonPaymentRunReport = field(default_factory=NonPaymentRunReport)
    retirements: RetirementRunReport = field(default_factory=RetirementRunReport)

    def lines(self) -> list[str]:
        verb = "would " if self.dry_run else ""
        out = [f"run_contract_deadlines at {self.now.isoformat()}"
               f"{' (dry run: nothing changed)' if self.dry_run else ''}"]
        out += [f"{verb}warn of termination for non-payment: {slug} ({detail})"
                for slug, detail in self.non_payment.warned]
        out += [f"{verb}TERMINATE for non-payment: {slug} ({detail})" for slug, detail in self.non_payment.terminated]
        out += [f"{verb}send export reminder: {slug} ({detail})" for slug, detail in self.retirements.reminders]
        out += [f"error: {slug}: {detail}" for slug, detail in self.non_payment.errors]
        if len(out) == 1:
            out.append("nothing to do")
        return out


def contract_deadlines_run(*, now: datetime | None = None, dry_run: bool = False) -> ContractDeadlinesReport:
    """Everything due now; a dry run changes nothing (and is rolled back whatever it touches)."""
    now = now or timezone.now()
    report = ContractDeadlinesReport(now=now, dry_run=dry_run)
    if dry_run:
        with transaction.atomic():
            report.non_payment = non_payment_terminations_run(now=now, dry_run=True)
            report.retirements = plan_retirement_reminders_run(now=now, dry_run=True)
            transaction.set_rollback(True)
        return report
    report.non_payment = non_payment_terminations_run(now=now)
    report.retirements = plan_retirement_reminders_run(now=now)
    return report
