"""Console (Django admin) pages of third-party models that need a guard (issue 11 item 4: no 500).

django-celery-beat's crontab form shows a `human_readable` description computed from the fields;
with fields it refuses (`minute=-1`) the description itself raises (KeyError) while the form is
re-rendered with its errors, which made the console answer 500."""

from __future__ import annotations

from django.contrib import admin
from django_celery_beat.admin import CrontabScheduleAdmin
from django_celery_beat.models import CrontabSchedule


class GuardedCrontabScheduleAdmin(CrontabScheduleAdmin):
    @admin.display(description="human readable")
    def human_readable(self, obj: CrontabSchedule) -> str:
        try:
            return obj.human_readable
        except Exception:  # an invalid schedule has no description; the form lists its errors
            return "—"


if admin.site.is_registered(CrontabSchedule):
    admin.site.unregister(CrontabSchedule)
admin.site.register(CrontabSchedule, GuardedCrontabScheduleAdmin)
