"""factory-boy factories of the suite. Rows of a tenant schema are made in the schema the connection is
on (`in_demo` / `schema_context`); tenant-schema rows are not flushed after transactional tests, so every
e-mail, slug and code made here is unique. Rows with rules (courses, quotes, windows, tenants) are made
through their services, as the product makes them.

    learner = UserFactory()                                  # role learner, password DEMO_PASSWORD
    teacher = UserFactory(role=User.Role.INSTRUCTOR)
    course = CourseFactory(author=teacher, quiz=False)       # published, one module with a text lesson
    enrollment = EnrollmentFactory(course=course, user=learner)
"""

from __future__ import annotations

import functools
from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory

from courses import services as course_services
from courses.models import Course, Enrollment, Lesson
from invoicing import services as invoicing_services
from invoicing.models import BillingPeriod, Plan, Quote
from maintenance.models import MaintenanceWindow
from mooc_platform.accounts.models import User
from mooc_platform.demo import DEMO_PASSWORD
from tenants.models import Tenant
from tests.helpers import unique


@functools.cache
def _password_hash() -> str:
    """Hash the demo password once per session: hashing it per user costs ~0.2 s with PBKDF2."""
    from django.contrib.auth.hashers import make_password

    return make_password(DEMO_PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    """A user of the current schema with the demo password."""

    class Meta:
        model = User

    role = User.Role.LEARNER
    email = factory.LazyAttribute(lambda o: f"{unique(o.role)}@example.org")
    full_name = "Test Person"
    password = factory.LazyFunction(_password_hash)


class CourseFactory(factory.Factory):
    """A course with one module: a text lesson, and a quiz of two questions (one single, one multiple
    choice) when `quiz`; published when `publish`. The right answers are the choices starting "right"."""

    class Meta:
        model = Course

    author = factory.SubFactory(UserFactory, role=User.Role.INSTRUCTOR)
    title = factory.LazyFunction(lambda: "Course " + unique())
    slug = factory.LazyFunction(lambda: unique("course"))
    visibility = Course.Visibility.MOOC
    pass_mark = Decimal("50.00")
    publish = True
    quiz = True

    @classmethod
    def _create(cls, model_class: type[Course], *, author: User, publish: bool, quiz: bool, pass_mark: Any,
                **fields: Any) -> Course:
        course = course_services.course_create(actor=author, pass_mark=Decimal(pass_mark), **fields)
        module = course_services.module_create(course=course, title="Week 1")
        course_services.lesson_create(module=module, title="Reading", kind=Lesson.Kind.TEXT,
                                      body_markdown="# Hello\n\n**bold**")
        if quiz:
            lesson = course_services.lesson_create(module=module, title="Quiz", kind=Lesson.Kind.QUIZ, max_attempts=2)
            course_services.question_create(lesson=lesson, text="2 + 2?", kind="single",
                                            choices=[("right 4", True), ("wrong 5", False)])
            course_services.question_create(lesson=lesson, text="Even numbers?", kind="multiple",
                                            choices=[("right 2", True), ("right 8", True), ("wrong 3", False)])
        if publish:
            course_services.course_publish(course=course, actor=author)
        return course


class EnrollmentFactory(factory.Factory):
    """An enrolment made by `enrollment_create` (the learner enrols themself unless `actor` is given)."""

    class Meta:
        model = Enrollment

    course = factory.SubFactory(CourseFactory)
    user = factory.SubFactory(UserFactory)
    actor = factory.LazyAttribute(lambda o: o.user)

    @classmethod
    def _create(cls, model_class: type[Enrollment], *, course: Course, user: User, actor: User) -> Enrollment:
        return course_services.enrollment_create(course=course, user=user, actor=actor)[0]


class PlanFactory(factory.Factory):
    """Monthly: EUR 100.00 flat + 50 seats × EUR 2.80 = EUR 240.00 excl. tax per month, priced since 2020."""

    class Meta:
        model = Plan

    code = factory.LazyFunction(lambda: unique("plan"))
    name = "Essential"
    billing_period = BillingPeriod.MONTHLY
    flat_amount = Decimal("100.00")
    per_seat_amount = Decimal("2.80")
    seats = 50
    now = factory.LazyFunction(lambda: _paris_2020())

    @classmethod
    def _create(cls, model_class: type[Plan], **fields: Any) -> Plan:
        return invoicing_services.plan_create(**fields)


def _paris_2020() -> Any:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(2020, 1, 1, tzinfo=ZoneInfo("Europe/Paris"))


class QuoteFactory(factory.Factory):
    """A quote for the Université de Tours, sent (`send=False`: a draft) under a new plan unless `plan`."""

    class Meta:
        model = Quote

    plan = factory.SubFactory(PlanFactory)
    organisation_name = "Université de Tours"
    billing_address = "60 rue du Plat d'Étain\n37000 Tours"
    country = "FR"
    vat_number = ""
    contact_name = "Claire Martin"
    wished_slug = factory.LazyFunction(lambda: unique("tours"))
    contact_email = "claire@tours.example"
    send = True

    @classmethod
    def _create(cls, model_class: type[Quote], *, send: bool, **fields: Any) -> Quote:
        quote = invoicing_services.quote_create(**fields)
        if send:
            quote = invoicing_services.quote_send(quote=quote, signing_base_url="http://localhost:8000")
        return quote


class MaintenanceWindowFactory(factory.Factory):
    """A planned window of `hours` (6) scheduled `now` (default: 3 days before it starts; `now=None`
    reads the clock), over `tenants` when given, else over all of them."""

    class Meta:
        model = MaintenanceWindow

    class Params:
        hours = 6

    start: Any = None  # required
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=o.hours))
    tenants = factory.LazyFunction(list)
    scope = factory.LazyAttribute(
        lambda o: MaintenanceWindow.Scope.SELECTED if o.tenants else MaintenanceWindow.Scope.ALL)
    reason = "PostgreSQL upgrade"
    message_fr = "Mise à jour de la base de données."
    message_en = "Database upgrade."
    actor = None
    now = factory.LazyAttribute(lambda o: o.start - timedelta(days=3))

    @classmethod
    def _create(cls, model_class: type[MaintenanceWindow], **fields: Any) -> MaintenanceWindow:
        from maintenance.services import maintenance_window_schedule

        return maintenance_window_schedule(**fields)


class TenantFactory(factory.Factory):
    """A tenant provisioned from the template (cheap), its administrator `admin@<slug>.test` invited.
    `passwords=True` gives the administrator the demo password and adds `learner@<slug>.test`.
    Prefer the `make_tenant` fixture of tests/tenants, which drops the schemas it made."""

    class Meta:
        model = Tenant

    slug = factory.LazyFunction(lambda: unique("t"))
    name = factory.LazyAttribute(lambda o: f"Org {o.slug}")
    admin_email = factory.LazyAttribute(lambda o: f"admin@{o.slug}.test")
    language = "en"
    passwords = True

    @classmethod
    def _create(cls, model_class: type[Tenant], *, passwords: bool, **fields: Any) -> Tenant:
        from django_tenants.utils import schema_context

        from tenants.services import tenant_provision

        tenant = tenant_provision(**fields)
        if passwords:
            with schema_context(tenant.schema_name):
                admin = User.objects.get(email=fields["admin_email"])
                admin.set_password(DEMO_PASSWORD)
                admin.full_name = "Org Admin"  # as if signed in once: a name is then required (issue 11 item 6)
                admin.save()
                User.objects.create_user(f"learner@{fields['slug']}.test", DEMO_PASSWORD, role=User.Role.LEARNER,
                                         full_name="Org Learner")
        return tenant
