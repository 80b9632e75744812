"""Instructor pages: courses, modules, lessons and questions."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from courses.errors import Code
from mooc_platform.accounts.permissions import course_staff_required
from mooc_platform.errors import ApplicationError
from mooc_platform.input_guards import date_in_bounds, parse_id

from .. import selectors, services
from ..models import Course, Lesson, Module, Question
from .common import _error, _int_or_none


def _course_fields(post: Any) -> dict[str, Any]:
    fields = {k: post.get(k, "").strip() for k in ("title", "slug", "summary", "language", "licence",
                                                   "visibility", "pass_mark") if k in post}
    return {k: v for k, v in fields.items() if v != "" or k == "summary"}


@course_staff_required
def teach_home(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            course = services.course_create(actor=request.user, **_course_fields(request.POST))
        except (ApplicationError, TypeError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
            for field_name, errors in getattr(exc, "details", {}).items():
                messages.error(request, f"{field_name}: {' '.join(map(str, errors))}")
        else:
            messages.success(request, _("Course created."))
            return redirect("teach-course", pk=course.pk)
    return render(request, "courses/teach_home.html", {
        "courses": selectors.courses_visible(user=request.user), "licences": Course.Licence.choices,
        "visibilities": Course.Visibility.choices})


def _deadline(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parse_datetime(value)  # None when malformed, ValueError when impossible (2026-02-30)
        if parsed is None or not date_in_bounds(parsed):
            raise ValueError(value)
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
    except (ValueError, OverflowError):
        raise ApplicationError(_("The deadline is not a valid date and time."), code=Code.VALIDATION_ERROR) from None


@course_staff_required
def teach_course(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "update":
                services.course_update(course=course, actor=request.user, **_course_fields(request.POST))
                messages.success(request, _("Course saved."))
            elif action == "add_module":
                services.module_create(course=course, title=request.POST.get("title", ""))
            elif action == "add_lesson":
                module = get_object_or_404(Module, pk=parse_id(request.POST.get("module")), course=course)
                lesson = services.lesson_create(
                    module=module, title=request.POST.get("title", ""), kind=request.POST.get("kind", "text"),
                    body_markdown=request.POST.get("body_markdown", ""),
                    media_upload_id=_int_or_none(request.POST.get("upload_id")),
                    max_attempts=_int_or_none(request.POST.get("max_attempts")) or 0,
                    time_limit_minutes=_int_or_none(request.POST.get("time_limit_minutes")),
                    deadline=_deadline(request.POST.get("deadline", "")))
                messages.success(request, _("Lesson added."))
                if lesson.kind == Lesson.Kind.QUIZ:
                    return redirect("teach-lesson", pk=lesson.pk)
            elif action in ("module_up", "module_down"):
                module = get_object_or_404(Module, pk=parse_id(request.POST.get("module")), course=course)
                services.module_move(module=module, up=action == "module_up")
            elif action in ("lesson_up", "lesson_down"):
                lesson = get_object_or_404(Lesson, pk=parse_id(request.POST.get("lesson")), module__course=course)
                services.lesson_move(lesson=lesson, up=action == "lesson_up")
            elif action == "publish":
                services.course_publish(course=course, actor=request.user)
                messages.success(request, _("The course is published."))
            elif action == "unpublish":
                services.course_unpublish(course=course, actor=request.user)
            elif action == "invite":
                text = request.POST.get("emails", "")
                if request.FILES.get("file"):  # a CSV of e-mails: the first column of each line
                    text += "\n" + request.FILES["file"].read(2 * 1024 * 1024).decode("utf-8-sig", errors="replace")
                emails = [e for e in re.split(r"[\s,;]+", text) if "@" in e]
                added = services.course_invitations_add(course=course, emails=emails)
                messages.success(request, _("%(n)s invitation(s) added.") % {"n": added})
        except ApplicationError as exc:
            _error(request, exc)
            for field_name, errors in exc.details.items():
                messages.error(request, f"{field_name}: {' '.join(map(str, errors))}")
        return redirect("teach-course", pk=course.pk)
    return render(request, "courses/teach_course.html", {
        "course": course, "outline": selectors.course_outline(course=course), "kinds": Lesson.Kind.choices,
        "licences": Course.Licence.choices, "visibilities": Course.Visibility.choices,
        "invited": course.invitations.order_by("email").values_list("email", flat=True)})


@course_staff_required
def teach_lesson(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(Lesson.objects.select_related("module__course", "media"), pk=pk)
    course = lesson.module.course
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add_question":
                choices = []
                for line in request.POST.get("choices", "").splitlines():
                    line = line.strip()
                    if line:
                        choices.append((line.lstrip("*").strip(), line.startswith("*")))
                services.question_create(lesson=lesson, text=request.POST.get("text", ""),
                                         kind=request.POST.get("kind", "single"), choices=choices)
                messages.success(request, _("Question added."))
            elif action == "update":
                services.lesson_update(lesson=lesson, title=request.POST.get("title", lesson.title),
                                       body_markdown=request.POST.get("body_markdown", lesson.body_markdown))
                messages.success(request, _("Lesson saved."))
            elif action == "delete":
                services.lesson_delete(lesson=lesson)
                messages.success(request, _("Lesson deleted."))
                return redirect("teach-course", pk=course.pk)
        except ApplicationError as exc:
            _error(request, exc)
        return redirect("teach-lesson", pk=lesson.pk)
    return render(request, "courses/teach_lesson.html", {
        "lesson": lesson, "course": course,
        "questions": Question.objects.filter(lesson=lesson).prefetch_related("choices")})
