"""Demo data (SPEC §4): an operator, tenants demo and acme with four users and one published course each.

Like the urlconfs, this module is a composition root: the one place in `mooc_platform` that reaches
into the apps, to call their services. Used by `seed_demo` (DEBUG only) and by the test suite."""

from collections.abc import Callable

from django.conf import settings
from django_tenants.utils import schema_context

from courses.models import Course
from invoicing.demo import demo_billing_ensure
from mooc_platform.accounts.models import User
from tenants.models import Tenant
from tenants.services import platform_tenant_ensure, tenant_provision

DEMO_PASSWORD = "demo-password-2026"
DEMO_TENANTS = {
    "demo": {"name": "Demo University", "course": ("Introduction to Data Science", "intro-data-science")},
    "acme": {"name": "ACME Corporate Academy", "course": ("Workplace Safety Essentials", "workplace-safety")},
}


def _user_ensure(*, email: str, role: str, full_name: str, **extra: object) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, role=role, full_name=full_name, **extra)
    elif not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user



def _demo_course_contents_ensure(*, course: Course, title: str) -> None:
    """Two modules, text lessons and a graded quiz, once (SPEC §4 demo data)."""
    from courses import services

    if course.modules.exists():
        return
    intro = services.module_create(course=course, title="Getting started")
    services.lesson_create(module=intro, title="Welcome", kind="text",
                           body_markdown=f"# Welcome to *{title}*\n\nRead each lesson, then take the quiz. "
                                         "A certificate is issued once every lesson is done with at least the "
                                         "pass mark.")
    services.lesson_create(module=intro, title="How this course works", kind="text",
                           body_markdown="- Lessons are short.\n- The quiz allows **3 attempts**.\n"
                                         "- Ask questions in the discussion.")
    check = services.module_create(course=course, title="Check your knowledge")
    quiz = services.lesson_create(module=check, title="Final quiz", kind="quiz", max_attempts=3,
                                  time_limit_minutes=15)
    services.question_create(lesson=quiz, text="What does a certificate require?", kind="single",
                             choices=[("Every lesson completed and the pass mark reached", True),
                                      ("Only enrolling", False)])
    services.question_create(lesson=quiz, text="Which are Creative Commons licences?", kind="multiple",
                             choices=[("CC BY", True), ("CC BY-SA", True), ("All rights reserved", False)])


def demo_data_ensure(*, log: Callable[[str], None] = lambda message: None) -> dict[str, Tenant]:
    """Create whatever demo data is missing; returns the demo tenants by slug. Idempotent."""
    platform_tenant_ensure()
    _user_ensure(email="operator@demo.test", role=User.Role.OPERATOR, full_name="Olivia Operator",
                 is_staff=True, is_superuser=True)
    log("operator@demo.test ready")
    tenants: dict[str, Tenant] = {}
    for slug, spec in DEMO_TENANTS.items():
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            log(f"provisioning tenant {slug} …")
            tenant = tenant_provision(slug=slug, name=spec["name"], admin_email=f"admin@{slug}.test",
                                      language="en")
        with schema_context(tenant.schema_name):
            _user_ensure(email=f"admin@{slug}.test", role=User.Role.ADMINISTRATOR, full_name="Ada Admin")
            instructor = _user_ensure(email=f"instructor@{slug}.test", role=User.Role.INSTRUCTOR,
                                      full_name="Ian Instructor")
            for n in (1, 2):
                _user_ensure(email=f"learner{n}@{slug}.test", role=User.Role.LEARNER,
                             full_name=f"Lea Learner {n}")
            title, course_slug = spec["course"]
            course, _ = Course.objects.get_or_create(
                slug=course_slug,
                defaults={"title": title, "summary": f"A published demo course of {spec['name']}.",
                          "status": Course.Status.PUBLISHED, "licence": Course.Licence.CC_BY_SA,
                          "created_by": instructor, "language": "en"},
            )
            _demo_course_contents_ensure(course=course, title=title)
        log(f"tenant {slug} ready: http://{slug}.{settings.PLATFORM_DOMAIN}")
        tenants[slug] = tenant
    demo_billing_ensure()
    log("price list ready (plans essential, campus)")
    return tenants
