"""Instructor pages: courses, modules, lessons and questions."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from courses.errors import Code
from mooc_platform.accounts.permissions import course_staff_required
from mooc_platform.errors import ApplicationError
from mooc_platform.i18n import LANGUAGES
from mooc_platform.input_guards import date_in_bounds, parse_id

from .. import selectors, services
from ..models import Caption, Course, Lesson, Module, Question
from .common import _error, _int_or_none


def _course_fields(post: Any) -> dict[str, Any]:
    fields = {k: post.get(k, "").strip() for k in ("title", "slug", "summary", "language", "licence",
                                                   "visibility", "pass_mark", "category", "duration_minutes",
                                                   "starts_on", "ends_on")
              if k in post}
    return {k: v for k, v in fields.items()
            if v != "" or k in ("summary", "category", "duration_minutes", "starts_on", "ends_on")}


@course_staff_required
def teach_home(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") == "add_category":
        try:
            category = services.category_create(actor=request.user, name=request.POST.get("name", ""))
            messages.success(request, _("Category %(name)s added.") % {"name": category.name})
        except ApplicationError as exc:
            _error(request, exc)
        return redirect("teach")
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
        "visibilities": Course.Visibility.choices, "categories": selectors.categories_used()})


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
    course = get_object_or_404(Course.objects.select_related("cover"), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "update":
                upload_id = _int_or_none(request.POST.get("upload_id"))
                if upload_id is not None:
                    course = services.course_cover_set(course=course, actor=request.user, upload_id=upload_id)
                elif request.POST.get("cover_remove"):
                    course = services.course_cover_remove(course=course, actor=request.user)
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
                    deadline=_deadline(request.POST.get("deadline", "")),
                    draw_count=_int_or_none(request.POST.get("draw_count")) or None)
                messages.success(request, _("Lesson added."))
                if lesson.kind in (Lesson.Kind.QUIZ, Lesson.Kind.SCORM):  # questions or the package come next
                    return redirect("teach-lesson", pk=lesson.pk)
            elif action in ("module_up", "module_down"):
                module = get_object_or_404(Module, pk=parse_id(request.POST.get("module")), course=course)
                services.module_move(module=module, up=action == "module_up")
            elif action in ("lesson_up", "lesson_down"):
                lesson = get_object_or_404(Lesson, pk=parse_id(request.POST.get("lesson")), module__course=course)
                services.lesson_move(lesson=lesson, up=action == "lesson_up")
            elif action == "rename_module":
                module = get_object_or_404(Module, pk=parse_id(request.POST.get("module")), course=course)
                services.module_rename(module=module, title=request.POST.get("title", ""))
                messages.success(request, _("Module renamed."))
            elif action == "restore_module":
                module = get_object_or_404(Module.all_objects, pk=parse_id(request.POST.get("module")), course=course,
                                           deleted_at__isnull=False)
                services.module_restore(module=module)
                messages.success(request, _("%(title)s is back.") % {"title": module.title})
            elif action == "restore_lesson":
                lesson = get_object_or_404(Lesson.all_objects, pk=parse_id(request.POST.get("lesson")),
                                           module__course=course, deleted_at__isnull=False)
                services.lesson_restore(lesson=lesson)
                messages.success(request, _("%(title)s is back.") % {"title": lesson.title})
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
        "course": course, "categories": selectors.categories_used(), "cover_src": services.cover_url(course=course),
        "bin": services.bin_of(course=course), "bin_days": services.BIN_DAYS, "undo": _undo(request, course),
        "outline": selectors.course_outline(course=course), "kinds": Lesson.Kind.choices,
        "licences": Course.Licence.choices, "visibilities": Course.Visibility.choices,
        "invited": course.invitations.order_by("email").values_list("email", flat=True)})


def _undo(request: HttpRequest, course: Course) -> Module | Lesson | None:
    """The module or lesson just deleted (`?deleted=module-<id>` or `lesson-<id>`), still in the bin: the feedback
    message after a deletion offers to undo it."""
    kind, _sep, pk = request.GET.get("deleted", "").partition("-")
    if kind == "module":
        return Module.all_objects.filter(pk=parse_id(pk), course=course, deleted_at__isnull=False).first()
    if kind == "lesson":
        return Lesson.all_objects.filter(pk=parse_id(pk), module__course=course, deleted_at__isnull=False).first()
    return None


@course_staff_required
def teach_module_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirmation, then the module and its lessons go to the bin (undone for 30 days, then purged)."""
    module = get_object_or_404(Module.objects.select_related("course"), pk=pk)
    if request.method == "POST":
        services.module_delete(module=module)
        messages.success(request, _("Module %(title)s deleted.") % {"title": module.title})
        return redirect(reverse("teach-course", args=[module.course_id]) + f"?deleted=module-{module.pk}")
    return render(request, "courses/teach_delete.html", {
        "course": module.course, "module": module, "lessons": list(module.lessons.all()),
        "bin_days": services.BIN_DAYS})


@course_staff_required
def teach_lesson_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirmation, then the lesson goes to the bin (undone for 30 days, then purged with its media)."""
    lesson = get_object_or_404(Lesson.objects.select_related("module__course", "media"), pk=pk)
    course = lesson.module.course
    if request.method == "POST":
        services.lesson_delete(lesson=lesson)
        messages.success(request, _("Lesson %(title)s deleted.") % {"title": lesson.title})
        return redirect(reverse("teach-course", args=[course.pk]) + f"?deleted=lesson-{lesson.pk}")
    return render(request, "courses/teach_delete.html", {"course": course, "lesson": lesson,
                                                         "bin_days": services.BIN_DAYS})


@course_staff_required
def teach_course_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft copy of the course, with its modules, lessons, questions and media (copied in storage)."""
    course = get_object_or_404(Course, pk=pk)
    form = {"title": _("Copy of %(title)s") % {"title": course.title}, "slug": f"{course.slug}-copy"[:100]}
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in ("title", "slug")}
        try:
            new = services.course_duplicate(course=course, actor=request.user, title=form["title"], slug=form["slug"])
        except ApplicationError as exc:
            _error(request, exc)
            for field_name, errors in exc.details.items():
                if field_name in form:
                    messages.error(request, f"{field_name}: {' '.join(map(str, errors))}")
            return render(request, "courses/teach_duplicate.html", {"course": course, "form": form}, status=400)
        messages.success(request, _("Course duplicated: this is the copy, a draft."))
        return redirect("teach-course", pk=new.pk)
    return render(request, "courses/teach_duplicate.html", {"course": course, "form": form})


# --- Quiz questions (issue 14 item 4) ---------------------------------------------------------------------
# One form writes every kind of question; on a validation error the page is shown again with what was typed.


def _question_input(post: Any, *, language: str) -> dict[str, Any]:
    """The service's arguments from the question form's fields."""
    kind = post.get("kind", "single")
    fields: dict[str, Any] = {"kind": kind, "text": post.get("text", ""), "explanation": post.get("explanation", ""),
                              "choices": [], "accepted_answers": [], "numeric_answer": post.get("numeric_answer", ""),
                              "numeric_tolerance": post.get("numeric_tolerance", "")}
    if kind in ("single", "multiple"):
        for line in post.get("choices", "").splitlines()[:100]:
            line = line.strip()
            if line:
                text, _sep, feedback = line.lstrip("*").partition("|")
                fields["choices"].append({"text": text.strip(), "is_correct": line.startswith("*"),
                                          "feedback": feedback.strip()})
    elif kind == "true_false":
        answer = post.get("true_false_answer", "")
        if answer in ("true", "false"):
            fields["choices"] = services.true_false_choices(
                correct=answer == "true", language=language, feedback_true=post.get("feedback_true", "").strip(),
                feedback_false=post.get("feedback_false", "").strip())
    elif kind == "matching":
        for line in post.get("pairs", "").splitlines()[:100]:
            if line.strip():
                left, _sep, right = line.partition("=")
                fields["choices"].append({"text": left.strip(), "match_text": right.strip()})
    elif kind == "short":
        fields["accepted_answers"] = [a for a in post.get("accepted_answers", "").splitlines()[:50] if a.strip()]
    return fields


def _question_form_initial(question: Question | None) -> dict[str, str]:
    """The question form's fields as text, from a stored question (empty for a new one)."""
    if question is None:
        return {"kind": "single"}
    choices = list(question.choices.all())
    initial = {"kind": question.kind, "text": question.text, "explanation": question.explanation}
    if question.kind in ("single", "multiple"):
        initial["choices"] = "\n".join(("*" if c.is_correct else "") + c.text + (f" | {c.feedback}" if c.feedback
                                                                                else "") for c in choices)
    elif question.kind == "true_false" and len(choices) == 2:
        initial.update({"true_false_answer": "true" if choices[0].is_correct else "false",
                        "feedback_true": choices[0].feedback, "feedback_false": choices[1].feedback})
    elif question.kind == "matching":
        initial["pairs"] = "\n".join(f"{c.text} = {c.match_text}" for c in choices)
    elif question.kind == "short":
        initial["accepted_answers"] = "\n".join(question.accepted_answers or [])
    elif question.kind == "numeric":
        initial["numeric_answer"] = services.number_text(question.numeric_answer)
        initial["numeric_tolerance"] = services.number_text(question.numeric_tolerance)
    return initial


@course_staff_required
def teach_lesson(request: HttpRequest, pk: int) -> HttpResponse:
    lesson = get_object_or_404(Lesson.objects.select_related("module__course", "media"), pk=pk)
    course = lesson.module.course
    questions = Question.objects.filter(lesson=lesson).prefetch_related("choices").order_by("position", "id")
    editing = None
    if request.method == "GET" and request.GET.get("edit"):
        editing = questions.filter(pk=parse_id(request.GET.get("edit"))).first()
    form: dict[str, Any] = _question_form_initial(editing)
    form_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("add_question", "edit_question"):
                fields = _question_input(request.POST, language=course.language)
                if action == "add_question":
                    services.question_create(lesson=lesson, **fields)
                    messages.success(request, _("Question added."))
                else:
                    editing = get_object_or_404(Question, pk=parse_id(request.POST.get("question")), lesson=lesson)
                    services.question_update(question=editing, **fields)
                    messages.success(request, _("Question saved."))
            elif action in ("question_up", "question_down"):
                question = get_object_or_404(Question, pk=parse_id(request.POST.get("question")), lesson=lesson)
                services.question_move(question=question, up=action == "question_up")
            elif action == "delete_question":
                question = get_object_or_404(Question, pk=parse_id(request.POST.get("question")), lesson=lesson)
                services.question_delete(question=question)
                messages.success(request, _("Question deleted."))
            elif action == "update":
                services.lesson_update(lesson=lesson, title=request.POST.get("title", lesson.title),
                                       body_markdown=request.POST.get("body_markdown", lesson.body_markdown),
                                       **({"review_allowed": bool(request.POST.get("review_allowed")),
                                           "draw_count": _int_or_none(request.POST.get("draw_count")) or None}
                                          if lesson.kind == Lesson.Kind.QUIZ else {}))
                messages.success(request, _("Lesson saved."))
            elif action == "add_caption":
                upload = request.FILES.get("captions")
                if upload is None or upload.size > services.CAPTION_MAX_BYTES:
                    raise ApplicationError(_("Choose a WebVTT file of 1 MB at most."), code=Code.VALIDATION_ERROR)
                services.caption_upload(lesson=lesson, language=request.POST.get("language", ""),
                                        content=upload.read(), actor=request.user)
                messages.success(request, _("Captions added."))
            elif action == "scorm_import":
                services.scorm_package_import(lesson=lesson, upload_id=_int_or_none(request.POST.get("upload_id")),
                                              actor=request.user)
                messages.success(request, _("The package is being unpacked: this page follows it."))
            elif action == "delete_caption":
                caption = get_object_or_404(Caption, pk=parse_id(request.POST.get("caption")), lesson=lesson)
                services.caption_delete(caption=caption, actor=request.user)
                messages.success(request, _("Captions deleted."))
        except ApplicationError as exc:
            _error(request, exc)
            if action in ("add_question", "edit_question"):  # shown again with what was typed
                form = {k: request.POST.get(k, "") for k in QUESTION_FORM_FIELDS}
                form_errors = {k: [str(m) for m in v] for k, v in exc.details.items()} if exc.details else {}
                return render(request, "courses/teach_lesson.html", {
                    "lesson": lesson, "course": course, "questions": questions, "form": form,
                    "form_errors": form_errors, "editing": editing, "question_kinds": Question.Kind.choices},
                    status=400)
        return redirect("teach-lesson", pk=lesson.pk)
    return render(request, "courses/teach_lesson.html", {
        "lesson": lesson, "course": course, "questions": questions, "form": form, "form_errors": form_errors,
        "editing": editing, "question_kinds": Question.Kind.choices,
        "captions": selectors.captions_of(lesson=lesson), "languages": LANGUAGES,
        **(_scorm_teach_context(lesson) if lesson.kind == Lesson.Kind.SCORM else {})})


def _scorm_teach_context(lesson: Lesson) -> dict[str, Any]:
    """The SCORM lesson's package as the instructor follows it: the newest import and the one played."""
    latest = services.scorm_package_latest(lesson=lesson)
    # The page refreshes itself while the package is unpacked (not for ever if a worker died on it).
    fresh = latest is not None and latest.updated_at > timezone.now() - timedelta(minutes=15)
    return {"scorm_latest": latest, "scorm_current": services.scorm_package_current(lesson=lesson),
            "scorm_error": services.scorm_error_message(package=latest) if latest else "",
            "scorm_busy": fresh and latest.status in ("pending", "processing")}


QUESTION_FORM_FIELDS = ("kind", "text", "explanation", "choices", "true_false_answer", "feedback_true",
                        "feedback_false", "pairs", "accepted_answers", "numeric_answer", "numeric_tolerance")
