"""Demo data of the courses app (SPEC §4): in each demo tenant, its four users and one published course
with two modules and a quiz. One part of `seed_demo` (settings.DEMO_SEEDERS, after the tenants)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django_tenants.utils import schema_context

from mooc_platform.accounts.models import User
from mooc_platform.demo import demo_user_ensure

from . import services
from .models import Course

DEMO_COURSES = {"demo": ("Introduction to Data Science", "intro-data-science"),
                "acme": ("Workplace Safety Essentials", "workplace-safety")}


def _demo_course_contents_ensure(*, course: Course, title: str) -> None:
    """Two modules, text lessons and a graded quiz, once."""
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


def demo_seed(*, demo: dict[str, Any], log: Callable[[str], None]) -> None:
    """In each tenant of `demo["tenants"]` (slug → tenant): the administrator, an instructor, two
    learners and the published course. Idempotent."""
    for slug, tenant in demo.get("tenants", {}).items():
        with schema_context(tenant.schema_name):
            demo_user_ensure(email=f"admin@{slug}.test", role=User.Role.ADMINISTRATOR, full_name="Ada Admin")
            instructor = demo_user_ensure(email=f"instructor@{slug}.test", role=User.Role.INSTRUCTOR,
                                          full_name="Ian Instructor")
            for n in (1, 2):
                demo_user_ensure(email=f"learner{n}@{slug}.test", role=User.Role.LEARNER,
                                 full_name=f"Lea Learner {n}")
            if slug not in DEMO_COURSES:
                continue
            title, course_slug = DEMO_COURSES[slug]
            course, _ = Course.objects.get_or_create(
                slug=course_slug,
                defaults={"title": title, "summary": f"A published demo course of {tenant.name}.",
                          "status": Course.Status.PUBLISHED, "licence": Course.Licence.CC_BY_SA,
                          "created_by": instructor, "language": "en"},
            )
            _demo_course_contents_ensure(course=course, title=title)
        log(f"tenant {slug} ready: http://{slug}.{settings.PLATFORM_DOMAIN}")
