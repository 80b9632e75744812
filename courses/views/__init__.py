"""HTML pages of the tenant's learning platform, as thin as the API: services do the work and an
ApplicationError becomes a message on the page."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mooc_platform.accounts.models import User
from mooc_platform.errors import ApplicationError

from . import selectors, services
from .models import Certificate, Course, Enrollment, Lesson, Module, Post, PostReport, Question, QuizAttempt

View = Callable[..., HttpResponse]


def roles_required(*roles: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in roles:
                return render(request, "courses/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


staff_required = roles_required(User.Role.ADMINISTRATOR, User.Role.INSTRUCTOR)
admin_required = roles_required(User.Role.ADMINISTRATOR)


def _error(request: HttpRequest, exc: ApplicationError) -> None:
    messages.error(request, exc.message)


def _course(request: HttpRequest, slug: str) -> Course:
    return get_object_or_404(selectors.courses_visible(user=request.user), slug=slug)


# --- Invitation (one-time link) ---------------------------------------------------------------------


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.user_invitation_get(token=token)
    except ApplicationError as exc:
        return render(request, "courses/invitation.html", {"invalid": exc.message}, status=400)
    errors: list[str] = []
    if request.method == "POST":
        password, confirm = request.POST.get("password1", ""), request.POST.get("password2", "")
        if password != confirm:
            errors.append(_("The two passwords differ."))
        else:
            try:
                services.user_invitation_accept(token=token, password=password)
            except ApplicationError as exc:
                errors.extend(exc.details.get("password", [exc.message]))
            else:
                messages.success(request, _("Your password is set: log in."))
                return redirect("login")
    return render(request, "courses/invitation.html", {"invited": invitation.user, "errors": errors})


# --- Learner pages ---------------------------------------------------------------------------------


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "courses/catalogue.html", {"courses": selectors.courses_catalogue(user=request.user)})


@login_required
def course_page(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug)
    enrollment = Enrollment.objects.filter(course=course, user=request.user).first()
    done = selectors.lesson_ids_completed(enrollment=enrollment)
    outline = selectors.course_outline(course=course)
    total = sum(len(m.lessons.all()) for m in outline)
    certificate = Certificate.objects.filter(course=course, user=request.user).first()
    score = services.course_score(course=course, user=request.user) if enrollment else None
    return render(request, "courses/course.html", {
        "course": course, "enrollment": enrollment, "outline": outline, "done": done, "total": total,
        "done_count": len(done), "certificate": certificate, "score": score,
        "can_enrol": course.visibility == Course.Visibility.MOOC or services.is_staff_member(request.user)
        or course.invitations.filter(email=request.user.email).exists(),
    })


@login_required
@require_POST
def course_enrol(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug)
    try:
        services.enrollment_create(course=course, user=request.user)
        messages.success(request, _("You are enrolled."))
    except ApplicationError as exc:
        _error(request, exc)
    return redirect("course", slug=course.slug)


def _lesson(request: HttpRequest, slug: str, pk: int) -> tuple[Course, Lesson, Enrollment | None]:
    course = _course(request, slug)
    lesson = get_object_or_404(Lesson.objects.select_related("module", "media"), pk=pk, module__course=course)
    enrollment = Enrollment.objects.filter(course=course, user=request.user).first()
    if enrollment is None and not services.is_staff_member(request.user):
        raise Http404
    return course, lesson, enrollment


@login_required
def lesson_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    course, lesson, enrollment = _lesson(request, slug, pk)
    context: dict[str, Any] = {"course": course, "lesson": lesson, "enrollment": enrollment,
                               "completed": pk in selectors.lesson_ids_completed(enrollment=enrollment)}
    lessons = selectors.course_lessons(course=course)
    ids = [item.pk for item in lessons]
    index = ids.index(lesson.pk)
    context["next_lesson"] = lessons[index + 1] if index + 1 < len(lessons) else None
    if lesson.media is not None:
        context["media_url"] = services.media_download_url(upload=lesson.media,
                                                           attachment=lesson.kind == Lesson.Kind.FILE)
    if lesson.kind == Lesson.Kind.QUIZ:
        if request.method == "POST" and enrollment is not None:
            try:
                if request.POST.get("action") == "start":
                    services.quiz_attempt_start(lesson=lesson, user=request.user)
                else:
                    attempt = get_object_or_404(QuizAttempt, pk=request.POST.get("attempt"), user=request.user)
                    answers = {str(q): [int(v) for v in request.POST.getlist(f"q{q}") if v.isdigit()]
                               for q in Question.objects.filter(lesson=lesson).values_list("id", flat=True)}
                    attempt = services.quiz_attempt_submit(attempt=attempt, user=request.user, answers=answers)
                    messages.success(request, _("Your score: %(score)s %%.") % {"score": attempt.score})
            except ApplicationError as exc:
                _error(request, exc)
            return redirect("lesson", slug=slug, pk=pk)
        attempts = list(QuizAttempt.objects.filter(lesson=lesson, user=request.user).order_by("number"))
        now = timezone.now()
        open_attempt = next((a for a in attempts if a.submitted_at is None
                             and (a.expires_at is None or a.expires_at > now)), None)
        context.update({
            "attempts": [a for a in attempts if a.submitted_at is not None],
            "open_attempt": open_attempt,
            "questions": Question.objects.filter(lesson=lesson).prefetch_related("choices") if open_attempt else [],
            "attempts_left": (lesson.max_attempts - len(attempts)) if lesson.max_attempts else None,
            "deadline_passed": bool(lesson.deadline and now > lesson.deadline),
            "maintenance_clash": None if open_attempt else selectors.quiz_maintenance_clash(lesson=lesson, now=now),
        })
    return render(request, "courses/lesson.html", context)


@login_required
@require_POST
def lesson_complete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    lesson = _lesson(request, slug, pk)[1]
    try:
        certificate = services.lesson_complete(lesson=lesson, user=request.user)
        if certificate:
            messages.success(request, _("Congratulations: you earned the certificate of this course."))
    except ApplicationError as exc:
        _error(request, exc)
    return redirect("lesson", slug=slug, pk=pk)


@login_required
def discussion(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug)
    if request.method == "POST":
        action = request.POST.get("action", "post")
        try:
            if action == "post":
                parent = None
                if request.POST.get("parent"):
                    parent = get_object_or_404(Post, pk=request.POST["parent"], course=course)
                services.post_create(course=course, author=request.user, body=request.POST.get("body", ""),
                                     parent=parent)
            elif action in ("hide", "restore"):
                post = get_object_or_404(Post.objects.select_related("author", "course"), pk=request.POST.get("post"),
                                         course=course)
                if action == "hide":
                    services.post_hide(post=post, moderator=request.user, reason=request.POST.get("reason", ""))
                else:
                    services.post_restore(post=post, moderator=request.user)
        except ApplicationError as exc:
            _error(request, exc)
        return redirect("discussion", slug=slug)
    try:
        services.member_check(course=course, user=request.user)
    except ApplicationError as exc:
        _error(request, exc)
        return redirect("course", slug=slug)
    return render(request, "courses/discussion.html", {
        "course": course, "threads": selectors.posts_of_course(course=course, viewer=request.user),
        "is_moderator": services.is_staff_member(request.user)})


@login_required
@require_POST
def post_report(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post.objects.select_related("course"), pk=pk, hidden_at__isnull=True)
    try:
        services.post_report(post=post, reporter=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("Thank you: the moderators will look at this post."))
    except ApplicationError as exc:
        _error(request, exc)
    return redirect("discussion", slug=post.course.slug)


@login_required
def my_progress(request: HttpRequest) -> HttpResponse:
    enrollments = list(selectors.enrollments_of(user=request.user))
    certified = set(Certificate.objects.filter(user=request.user).values_list("course_id", flat=True))
    for e in enrollments:
        e.percent = round(e.lessons_done * 100 / e.lessons_total) if e.lessons_total else 0
        e.certified = e.course_id in certified
    return render(request, "courses/my_progress.html", {"enrollments": enrollments})


@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    return render(request, "courses/my_certificates.html",
                  {"certificates": selectors.certificates_of(user=request.user)})


@login_required
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = get_object_or_404(selectors.certificates_of(user=request.user), pk=pk)
    return HttpResponseRedirect(services.certificate_download_url(certificate=certificate))


def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public, no login (SPEC R21)."""
    certificate = selectors.certificate_by_code(code=code)
    return render(request, "courses/certificate_verify.html", {"certificate": certificate, "code": code},
                  status=200 if certificate else 404)


@login_required
def my_profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        user.full_name = request.POST.get("full_name", user.full_name).strip()[:200]
        if request.POST.get("language") in ("en", "fr"):
            user.language = request.POST["language"]
        user.save(update_fields=["full_name", "language"])
        messages.success(request, _("Profile saved."))
        return redirect("my-profile")
    return render(request, "courses/my_profile.html", {"profile": user})


@login_required
def my_export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(json.dumps(services.user_data_export(user=request.user), indent=2),
                            content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@login_required
def my_delete(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.user.check_password(request.POST.get("password", "")):
            messages.error(request, _("Wrong password."))
        else:
            try:
                services.user_account_delete(user=request.user)
            except ApplicationError as exc:
                _error(request, exc)
            else:
                logout(request)
                messages.success(request, _("Your account was deleted."))
                return redirect("login")
    return render(request, "courses/my_delete.html")


# --- Instructor pages --------------------------------------------------------------------------------


def _course_fields(post: Any) -> dict[str, Any]:
    fields = {k: post.get(k, "").strip() for k in ("title", "slug", "summary", "language", "licence",
                                                   "visibility", "pass_mark") if k in post}
    return {k: v for k, v in fields.items() if v != "" or k == "summary"}


@staff_required
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
    parsed = parse_datetime(value)
    if parsed is None:
        raise ApplicationError(_("The deadline is not a valid date and time."), code="validation_error")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


@staff_required
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
                module = get_object_or_404(Module, pk=request.POST.get("module"), course=course)
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
                module = get_object_or_404(Module, pk=request.POST.get("module"), course=course)
                services.module_move(module=module, up=action == "module_up")
            elif action in ("lesson_up", "lesson_down"):
                lesson = get_object_or_404(Lesson, pk=request.POST.get("lesson"), module__course=course)
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


@staff_required
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


@staff_required
def moderation(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        report = get_object_or_404(PostReport.objects.select_related("post__author", "post__course"),
                                   pk=request.POST.get("report"))
        try:
            if action == "hide":
                services.post_hide(post=report.post, moderator=request.user, reason=report.reason)
                messages.success(request, _("Post hidden; its author was told."))
            elif action == "restore":
                services.post_restore(post=report.post, moderator=request.user)
            else:
                services.report_dismiss(report=report, moderator=request.user)
        except ApplicationError as exc:
            _error(request, exc)
        return redirect("moderation")
    return render(request, "courses/moderation.html", {"reports": selectors.reports_open()})


# --- Administrator pages -----------------------------------------------------------------------------


@admin_required
def manage_users(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite":
                user, _token = services.user_invite(
                    email=request.POST.get("email", ""), role=request.POST.get("role", "learner"),
                    full_name=request.POST.get("full_name", ""), base_url=request.build_absolute_uri("/"),
                    invited_by=request.user)
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
            elif action == "resend":
                target = get_object_or_404(selectors.users_list(), pk=request.POST.get("user"))
                services.user_invitation_resend(user=target, base_url=request.build_absolute_uri("/"))
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": target.email})
            elif action in ("deactivate", "reactivate"):
                target = get_object_or_404(selectors.users_list(), pk=request.POST.get("user"))
                if action == "deactivate":
                    services.user_deactivate(user=target, actor=request.user)
                else:
                    services.user_reactivate(user=target, actor=request.user)
        except ApplicationError as exc:
            _error(request, exc)
        return redirect("manage-users")
    limits = services.tenant_limits()
    return render(request, "courses/manage_users.html", {
        "users": selectors.users_list(), "roles": services.TENANT_ROLES, "seats_used": services.seats_used(),
        "seat_limit": limits.seat_limit})


@admin_required
def manage_import(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    if request.method == "POST":
        try:
            if request.FILES.get("file"):
                text = request.FILES["file"].read(2 * 1024 * 1024).decode("utf-8-sig", errors="replace")
            else:
                text = request.POST.get("csv_text", "")
            if request.POST.get("action") == "apply":
                report = services.users_import_apply(csv_text=text, actor=request.user,
                                                     base_url=request.build_absolute_uri("/"))
            else:
                report = services.users_import_preview(csv_text=text)
            context.update({"report": report, "summary": report.summary(), "csv_text": text})
        except ApplicationError as exc:
            _error(request, exc)
    return render(request, "courses/manage_import.html", context)


@admin_required
def manage_branding(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.branding_update(
                actor=request.user, name=request.POST.get("name"), primary_color=request.POST.get("primary_color"),
                accent_color=request.POST.get("accent_color"), default_language=request.POST.get("default_language"),
                logo_upload_id=_int_or_none(request.POST.get("upload_id")),
                logo_remove=bool(request.POST.get("logo_remove")))
            messages.success(request, _("Branding saved."))
        except ApplicationError as exc:
            _error(request, exc)
            for field_name, errors in exc.details.items():
                messages.error(request, f"{field_name}: {' '.join(map(str, errors))}")
        return redirect("manage-branding")
    limits = services.tenant_limits()
    return render(request, "courses/manage_branding.html", {
        "branding": selectors.branding_current(), "display_name": services.branding_display_name(),
        "limits": limits, "storage_percent": round(limits.storage_used_bytes * 100 / limits.storage_quota_bytes, 1)
        if limits.storage_quota_bytes else 100})


@staff_required
def analytics(request: HttpRequest) -> HttpResponse:
    from django.db.models import Count, Q

    courses = selectors.courses_visible(user=request.user).annotate(
        n_enrolled=Count("enrollments", distinct=True),
        n_completed=Count("enrollments", filter=Q(enrollments__completed_at__isnull=False), distinct=True),
        n_certified=Count("certificates", distinct=True))
    return render(request, "courses/analytics.html", {"courses": courses})


@staff_required
def analytics_course(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    return render(request, "courses/analytics_course.html", {"stats": selectors.course_analytics(course=course)})


@staff_required
def analytics_csv(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    stats = selectors.course_analytics(course=course)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="progress-{course.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(["email", "full_name", "enrolled_at", "lessons_done", "lessons_total", "progress_percent",
                     "score", "completed", "certified"])
    for row in stats["rows"]:
        writer.writerow([row["email"], row["full_name"], row["enrolled_at"].isoformat(), row["lessons_done"],
                         row["lessons_total"], row["progress"], row["score"], row["completed"], row["certified"]])
    return response
