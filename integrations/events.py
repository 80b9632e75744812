"""The catalogue of webhook events: their names, labels and payloads (documented in the OpenAPI schema)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

USER_CREATED = "user.created"
USER_DEACTIVATED = "user.deactivated"
ENROLLMENT_CREATED = "enrollment.created"
LESSON_COMPLETED = "lesson.completed"
QUIZ_SUBMITTED = "quiz.submitted"
COURSE_COMPLETED = "course.completed"
CERTIFICATE_ISSUED = "certificate.issued"
INVOICE_ISSUED = "invoice.issued"
INVOICE_PAID = "invoice.paid"
TENANT_LIFECYCLE_CHANGED = "tenant.lifecycle_changed"
MAINTENANCE_SCHEDULED = "maintenance.scheduled"
PING = "webhook.ping"

EVENT_LABELS = {
    USER_CREATED: _("User created"),
    USER_DEACTIVATED: _("User deactivated"),
    ENROLLMENT_CREATED: _("Enrolment"),
    LESSON_COMPLETED: _("Lesson completed"),
    QUIZ_SUBMITTED: _("Quiz submitted (score, passed or failed)"),
    COURSE_COMPLETED: _("Course completed"),
    CERTIFICATE_ISSUED: _("Certificate issued"),
    INVOICE_ISSUED: _("Invoice issued"),
    INVOICE_PAID: _("Invoice paid"),
    TENANT_LIFECYCLE_CHANGED: _("Subscription lifecycle change (suspension, reinstatement, cancellation…)"),
    MAINTENANCE_SCHEDULED: _("Maintenance scheduled"),
}
EVENT_TYPES = list(EVENT_LABELS)


class UserData(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.CharField()


class UserEventData(serializers.Serializer):
    user = UserData()


class EnrollmentEventData(serializers.Serializer):
    enrollment_id = serializers.IntegerField()
    course_id = serializers.IntegerField()
    course_title = serializers.CharField()
    user = UserData()


class LessonCompletedData(serializers.Serializer):
    lesson_id = serializers.IntegerField()
    lesson_title = serializers.CharField()
    course_id = serializers.IntegerField()
    user = UserData()


class QuizSubmittedData(serializers.Serializer):
    attempt_id = serializers.IntegerField()
    attempt_number = serializers.IntegerField()
    lesson_id = serializers.IntegerField()
    lesson_title = serializers.CharField()
    course_id = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True,
                                     help_text="Percentage, 0.00 to 100.00.")
    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True,
                                         help_text="The course's pass mark (%).")
    passed = serializers.BooleanField(help_text="score >= pass_mark.")
    submitted_at = serializers.DateTimeField()
    user = UserData()


class CourseCompletedData(serializers.Serializer):
    enrollment_id = serializers.IntegerField()
    course_id = serializers.IntegerField()
    course_title = serializers.CharField()
    completed_at = serializers.DateTimeField()
    user = UserData()


class CertificateIssuedData(serializers.Serializer):
    certificate_id = serializers.IntegerField()
    code = serializers.CharField(help_text="Verifiable at /certificates/verify/<code>/.")
    course_id = serializers.IntegerField()
    course_title = serializers.CharField()
    holder_name = serializers.CharField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)
    issued_at = serializers.DateTimeField()
    user = UserData()


class InvoiceData(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    issue_date = serializers.DateField()
    due_date = serializers.DateField(allow_null=True)
    total_incl_tax = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    currency = serializers.CharField()


class InvoiceEventData(serializers.Serializer):
    invoice = InvoiceData()


class LifecycleEventData(serializers.Serializer):
    action = serializers.CharField(help_text="tenant.suspended, tenant.reinstated, tenant.cancelled, …")
    state_before = serializers.CharField()
    state_after = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)


class MaintenanceEventData(serializers.Serializer):
    window_id = serializers.IntegerField()
    kind = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    summary = serializers.CharField(allow_blank=True)


EVENT_DATA = {
    USER_CREATED: UserEventData,
    USER_DEACTIVATED: UserEventData,
    ENROLLMENT_CREATED: EnrollmentEventData,
    LESSON_COMPLETED: LessonCompletedData,
    QUIZ_SUBMITTED: QuizSubmittedData,
    COURSE_COMPLETED: CourseCompletedData,
    CERTIFICATE_ISSUED: CertificateIssuedData,
    INVOICE_ISSUED: InvoiceEventData,
    INVOICE_PAID: InvoiceEventData,
    TENANT_LIFECYCLE_CHANGED: LifecycleEventData,
    MAINTENANCE_SCHEDULED: MaintenanceEventData,
}
