"""Send the maintenance notices that are due (announcements, 24-hour reminders, cancellations),
exactly once, and mark ended windows completed. The Celery beat runs the same service."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from maintenance.services import maintenance_notices_send_due


class Command(BaseCommand):
    help = "Send the maintenance notices that are due (SPEC R16), exactly once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would be sent; send nothing.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        notices = maintenance_notices_send_due(dry_run=dry_run)
        verb = "would send" if dry_run else "sent"
        for notice in notices:
            self.stdout.write(
                f"{verb} {notice.kind} of window {notice.window_id} (revision {notice.revision}) to "
                f"{notice.tenant_slug} [{notice.language}]: {', '.join(notice.recipients) or '(no administrator)'}"
                + (" — LATE: less than 48 hours before the window (GCS art. 8)" if notice.late else "")
            )
        self.stdout.write(f"{len(notices)} notice(s) {verb}.")
