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
from .models import Cohort, Course, LearningPath, LearningPathCourse

DEMO_COURSES = {"demo": ("Introduction to Data Science", "intro-data-science"),
                "acme": ("L'essentiel de la sécurité au travail", "workplace-safety")}

# The demo course's texts in the tenant's language (SPEC §4: `acme` speaks French).
_COURSE_TEXTS = {
    "en": {"summary": "A published demo course of {name}.",
           "intro": "Getting started", "welcome": "Welcome",
           "welcome_body": "# Welcome to *{title}*\n\nRead each lesson, then take the quiz. A certificate is issued "
                           "once every lesson is done with at least the pass mark.",
           "how": "How this course works",
           "how_body": "- Lessons are short.\n- The quiz allows **3 attempts**.\n- Ask questions in the discussion.",
           "check": "Check your knowledge", "quiz": "Final quiz",
           "q1": "What does a certificate require?",
           "q1_yes": "Every lesson completed and the pass mark reached", "q1_no": "Only enrolling",
           "q2": "Which are Creative Commons licences?", "arr": "All rights reserved"},
    "fr": {"summary": "Un cours de démonstration publié par {name}.",
           "intro": "Pour commencer", "welcome": "Bienvenue",
           "welcome_body": "# Bienvenue dans *{title}*\n\nLisez chaque leçon, puis répondez au quiz. Une attestation "
                           "est délivrée quand toutes les leçons sont terminées avec au moins la note requise.",
           "how": "Comment se déroule ce cours",
           "how_body": "- Les leçons sont courtes.\n- Le quiz permet **3 tentatives**.\n"
                       "- Posez vos questions dans la discussion.",
           "check": "Vérifiez vos connaissances", "quiz": "Quiz final",
           "q1": "Que faut-il pour obtenir une attestation ?",
           "q1_yes": "Toutes les leçons terminées et la note requise atteinte", "q1_no": "S'inscrire, simplement",
           "q2": "Lesquelles sont des licences Creative Commons ?", "arr": "Tous droits réservés"},
}


def _demo_course_contents_ensure(*, course: Course, title: str, language: str = "en") -> None:
    """Two modules, text lessons and a graded quiz, once, in `language`."""
    if course.modules.exists():
        return
    t = _COURSE_TEXTS.get(language, _COURSE_TEXTS["en"])
    intro = services.module_create(course=course, title=t["intro"])
    services.lesson_create(module=intro, title=t["welcome"], kind="text",
                           body_markdown=t["welcome_body"].format(title=title))
    services.lesson_create(module=intro, title=t["how"], kind="text", body_markdown=t["how_body"])
    check = services.module_create(course=course, title=t["check"])
    quiz = services.lesson_create(module=check, title=t["quiz"], kind="quiz", max_attempts=3,
                                  time_limit_minutes=15)
    services.question_create(lesson=quiz, text=t["q1"], kind="single",
                             choices=[(t["q1_yes"], True), (t["q1_no"], False)])
    services.question_create(lesson=quiz, text=t["q2"], kind="multiple",
                             choices=[("CC BY", True), ("CC BY-SA", True), (t["arr"], False)])


# The demo cohort (the two learners, enrolled in nothing) and the demo learning path (the demo course, published),
# in the tenant's language (issue 14 item 10).
_COHORT_AND_PATH = {"en": ("Cohort 2026", "Data science path", "The demo course, then more to come."),
                    "fr": ("Promotion 2026", "Parcours sécurité", "Le cours de démonstration, puis d'autres à venir.")}


def _demo_cohort_and_path_ensure(*, course: Course, language: str, slug: str) -> None:
    cohort_name, path_title, path_summary = _COHORT_AND_PATH.get(language, _COHORT_AND_PATH["en"])
    cohort, _ = Cohort.objects.get_or_create(name=cohort_name)
    for user in User.objects.filter(email__in=[f"learner1@{slug}.test", f"learner2@{slug}.test"]):
        cohort.memberships.get_or_create(user=user)
    path, _ = LearningPath.objects.get_or_create(
        slug="demo-path", defaults={"title": path_title, "summary": path_summary, "language": language,
                                    "status": LearningPath.Status.PUBLISHED})
    LearningPathCourse.objects.get_or_create(path=path, course=course, defaults={"position": 0})


def demo_seed(*, demo: dict[str, Any], log: Callable[[str], None]) -> None:
    """In each tenant of `demo["tenants"]` (slug → tenant): the administrator, an instructor, two
    learners and the published course. Idempotent."""
    for slug, tenant in demo.get("tenants", {}).items():
        with schema_context(tenant.schema_name):
            language = tenant.language
            demo_user_ensure(email=f"admin@{slug}.test", role=User.Role.ADMINISTRATOR, full_name="Ada Admin",
                             language=language)
            instructor = demo_user_ensure(email=f"instructor@{slug}.test", role=User.Role.INSTRUCTOR,
                                          full_name="Ian Instructor", language=language)
            for n in (1, 2):
                demo_user_ensure(email=f"learner{n}@{slug}.test", role=User.Role.LEARNER,
                                 full_name=f"Lea Learner {n}", language=language)
            if slug not in DEMO_COURSES:
                continue
            title, course_slug = DEMO_COURSES[slug]
            course, _ = Course.objects.get_or_create(
                slug=course_slug,
                defaults={"title": title,
                          "summary": _COURSE_TEXTS.get(language, _COURSE_TEXTS["en"])["summary"].format(
                              name=tenant.name),
                          "status": Course.Status.PUBLISHED, "licence": Course.Licence.CC_BY_SA,
                          "created_by": instructor, "language": language},
            )
            _demo_course_contents_ensure(course=course, title=title, language=language)
            _demo_cohort_and_path_ensure(course=course, language=language, slug=slug)
        log(f"tenant {slug} ready: http://{slug}.{settings.PLATFORM_DOMAIN}")
