"""Learner pages (catalogue, course, lesson, progress) and the instructors' analytics."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mooc_platform.accounts.permissions import course_staff_required
from mooc_platform.errors import ApplicationError
from mooc_platform.formatting import localized
from mooc_platform.i18n import LANGUAGES
from mooc_platform.input_guards import parse_id
from mooc_platform.spreadsheets import SafeCsvWriter

from .. import selectors, services
from ..models import Certificate, Course, Enrollment, Lesson, Question, QuizAttempt
from .common import _course, _error


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """The catalogue, searched (`?q=`) and filtered (`?category=<slug>`, `?language=`): SPEC §4."""
    filters = selectors.catalogue_filters_clean(q=request.GET.get("q", ""), category=request.GET.get("category", ""),
                                                language=request.GET.get("language", ""))
    courses = list(selectors.courses_catalogue(user=request.user, filters=filters))
    for course in courses:
        course.cover_src = services.cover_url(course=course)
    return render(request, "courses/catalogue.html", {
        "courses": courses, "filters": filters, "categories": selectors.categories_used(),
        "languages": LANGUAGES})


@course_staff_required
def course_preview(request: HttpRequest, slug: str) -> HttpResponse:
    """"Preview as learner": the course page as a learner sees it, without enrolling or recording anything."""
    course = _course(request, slug)
    outline = selectors.course_outline(course=course)
    return render(request, "courses/course.html", {
        "course": course, "enrollment": None, "outline": outline, "done": set(), "done_count": 0,
        "total": sum(len(m.lessons.all()) for m in outline), "certificate": None, "score": None, "can_enrol": False,
        "preview": True, "lesson_route": "course-preview-lesson"})


@course_staff_required
def lesson_preview(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A lesson as a learner sees it (a quiz's questions shown, not answerable); no progress is recorded."""
    course = _course(request, slug)
    lesson = get_object_or_404(Lesson.objects.select_related("module__course", "media"), pk=pk,
                               module__course=course)
    context = _lesson_context(request, course, lesson, None, pk)
    context.update(preview=True, lesson_route="course-preview-lesson", course_route="course-preview")
    if lesson.kind == Lesson.Kind.QUIZ:
        context["questions"] = services.quiz_questions(lesson=lesson)
    return render(request, "courses/lesson.html", context)


@login_required
def course_image(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An image of the course's texts: a redirect to a short-lived storage URL, for those who may read the
    course's lessons (the Markdown keeps this stable address)."""
    course = _course(request, slug)
    if not selectors.course_content_readable(user=request.user, course=course):
        raise Http404
    image = services.course_image_for(course=course, pk=pk)
    if image is None:
        raise Http404
    response = redirect(services.media_download_url(upload=image))
    response["Cache-Control"] = "private, max-age=240"
    return response


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
        "can_enrol": course.visibility == Course.Visibility.MOOC or request.user.is_course_staff
        or course.invitations.filter(email=request.user.email).exists(),
    })


def course_landing(request: HttpRequest, slug: str) -> HttpResponse:
    """The public page of a published MOOC: anyone, signed in or not, reads what the course is about and its
    outline (never a lesson's content). A SPOC or a draft has no public page: 404, as for an unknown slug."""
    course = get_object_or_404(selectors.course_landing_visible(), slug=slug)
    outline = selectors.course_outline(course=course)
    return render(request, "courses/course_landing.html", {
        "course": course, "outline": outline, "cover_src": services.cover_url(course=course),
        "lesson_total": sum(len(m.lessons.all()) for m in outline)})


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
    lesson = get_object_or_404(Lesson.objects.select_related("module__course", "media"), pk=pk,
                               module__course=course)
    if not selectors.lesson_readable(user=request.user, lesson=lesson):
        raise Http404
    enrollment = Enrollment.objects.filter(course=course, user=request.user).first()
    return course, lesson, enrollment


def _quiz_answers(post: Any, questions: list[Question]) -> dict[str, Any]:
    """The answer sheet of the quiz form, in the shape `courses.services.quizzes` scores."""
    answers: dict[str, Any] = {}
    for question in questions:
        name = f"q{question.pk}"
        if question.kind in ("single", "multiple", "true_false"):
            answers[str(question.pk)] = [i for i in map(parse_id, post.getlist(name)[:100]) if i is not None]
        elif question.kind in ("short", "numeric"):
            answers[str(question.pk)] = post.get(name, "")[:1000]
        elif question.kind == "matching":
            picks = {str(c.pk): parse_id(post.get(f"{name}_{c.pk}")) for c in question.choices.all()}
            answers[str(question.pk)] = {k: v for k, v in picks.items() if v is not None}
    return answers


def _previewable(content_type: str) -> bool:
    return content_type == "application/pdf" or content_type in ("image/png", "image/jpeg", "image/gif",
                                                                  "image/webp")


@login_required
def lesson_captions(request: HttpRequest, slug: str, pk: int, language: str) -> HttpResponse:
    """A video lesson's captions as WebVTT, from the app's origin (a <track> must be same-origin)."""
    lesson = _lesson(request, slug, pk)[1]
    caption = next((c for c in selectors.captions_of(lesson=lesson) if c.language == language), None)
    if caption is None:
        raise Http404
    response = HttpResponse(services.caption_text(caption=caption), content_type="text/vtt; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _lesson_context(request: HttpRequest, course: Course, lesson: Lesson, enrollment: Enrollment | None,
                    pk: int) -> dict[str, Any]:
    """What the player shows of any lesson (the quiz's attempts aside)."""
    context: dict[str, Any] = {"course": course, "lesson": lesson, "enrollment": enrollment,
                               "completed": pk in selectors.lesson_ids_completed(enrollment=enrollment)}
    outline = selectors.lesson_outline(course=course, lesson=lesson, enrollment=enrollment)
    context.update(outline=outline, next_lesson=outline.next, previous_lesson=outline.previous,
                   threads_count=selectors.lesson_threads_count(lesson=lesson, viewer=request.user))
    if lesson.kind == Lesson.Kind.SCORM:  # a restart of the attempt answers with a redirect (`scorm_response`)
        context["scorm_response"] = _scorm_context(request, context, course=course, lesson=lesson,
                                                   enrollment=enrollment)
    elif lesson.media is not None:
        context["media_url"] = services.media_download_url(upload=lesson.media,
                                                           attachment=lesson.kind == Lesson.Kind.FILE)
        if lesson.kind == Lesson.Kind.FILE and _previewable(lesson.media.content_type):
            context["preview_url"] = services.media_download_url(upload=lesson.media)
            context["preview_kind"] = "pdf" if lesson.media.content_type == "application/pdf" else "image"
    if lesson.kind == Lesson.Kind.VIDEO:
        captions = selectors.captions_of(lesson=lesson)
        shown = next((c for c in captions if c.language == request.LANGUAGE_CODE), captions[0] if captions else None)
        context.update(captions=captions, transcript_caption=shown,
                       resume_at=selectors.video_resume_position(enrollment=enrollment, lesson=lesson),
                       transcript=selectors.caption_cues(text=services.caption_text(caption=shown)) if shown else [])
    return context


@login_required
def lesson_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    course, lesson, enrollment = _lesson(request, slug, pk)
    context = _lesson_context(request, course, lesson, enrollment, pk)
    if context.get("scorm_response") is not None:
        return context["scorm_response"]
    if lesson.kind == Lesson.Kind.QUIZ:
        if request.method == "POST" and enrollment is not None:
            try:
                if request.POST.get("action") == "start":
                    services.quiz_attempt_start(lesson=lesson, user=request.user)
                else:
                    attempt = get_object_or_404(QuizAttempt, pk=parse_id(request.POST.get("attempt")),
                                                user=request.user, lesson=lesson)
                    questions = services.quiz_questions(lesson=lesson, question_ids=attempt.question_ids)
                    attempt = services.quiz_attempt_submit(attempt=attempt, user=request.user,
                                                           answers=_quiz_answers(request.POST, questions))
                    score = localized(attempt.score, "percent:2")
                    messages.success(request, _("Your score: %(score)s.") % {"score": score})
                    if lesson.review_allowed:
                        return redirect(reverse("lesson", args=[slug, pk]) + f"?review={attempt.pk}#review")
            except ApplicationError as exc:
                _error(request, exc)
            return redirect("lesson", slug=slug, pk=pk)
        attempts = list(QuizAttempt.objects.filter(lesson=lesson, user=request.user).order_by("number"))
        now = timezone.now()
        expiries = {a.pk: selectors.quiz_attempt_expiry_effective(attempt=a) for a in attempts
                    if a.submitted_at is None}
        open_attempt = next((a for a in attempts if a.pk in expiries
                             and (expiries[a.pk] is None or expiries[a.pk] > now)), None)
        if open_attempt is not None:  # shown as "submit before": the limit with the maintenance time given back
            open_attempt.expires_at = expiries[open_attempt.pk]
        deadline = selectors.quiz_deadline_effective(lesson=lesson)
        submitted = [a for a in attempts if a.submitted_at is not None]
        attempts_left = (lesson.max_attempts - len(attempts)) if lesson.max_attempts else None
        deadline_passed = bool(deadline and now > deadline)
        review_attempt = None
        if lesson.review_allowed and submitted and open_attempt is None:
            wanted = parse_id(request.GET.get("review"))
            review_attempt = next((a for a in submitted if a.pk == wanted), submitted[-1])
        context.update({
            "attempts": submitted,
            "open_attempt": open_attempt,
            "questions": services.quiz_questions(lesson=lesson, question_ids=open_attempt.question_ids)
            if open_attempt else [],
            "attempts_left": attempts_left,
            "deadline_passed": deadline_passed,
            "maintenance_clash": None if open_attempt else selectors.quiz_maintenance_clash(lesson=lesson, now=now),
            "review_attempt": review_attempt,
            "review": services.attempt_review(
                questions=services.quiz_questions(lesson=lesson, question_ids=review_attempt.question_ids),
                answers=review_attempt.answers) if review_attempt else [],
            # The right answers are shown once no attempt is left to use them in (or the deadline passed).
            "review_reveals": attempts_left == 0 or deadline_passed,
        })
    return render(request, "courses/lesson.html", context)


def _scorm_context(request: HttpRequest, context: dict[str, Any], *, course: Course, lesson: Lesson,
                   enrollment: Enrollment | None) -> HttpResponse | None:
    """The SCORM player: the package's launch URL, the learner's attempt (resumed) and where it commits."""
    if request.method == "POST" and enrollment is not None and request.POST.get("action") == "restart":
        try:
            services.scorm_attempt_restart(lesson=lesson, user=request.user)
            messages.success(request, _("A new attempt starts from the beginning."))
        except ApplicationError as exc:
            _error(request, exc)
        return redirect("lesson", slug=course.slug, pk=lesson.pk)
    package = services.scorm_package_current(lesson=lesson)
    context["package"] = package
    if package is None:
        return None
    launch = reverse("lesson-scorm-file", args=[course.slug, lesson.pk, package.pk, package.launch_path])
    context["launch_url"] = launch + (f"?{package.launch_query}" if package.launch_query else "")
    if enrollment is not None:
        attempt = services.scorm_attempt_current(lesson=lesson, user=request.user)
        context.update(attempt=attempt, scorm_cmi=services.scorm_launch_data(attempt=attempt, version=package.version,
                                                                             user=request.user),
                       commit_url=reverse("lesson-scorm-commit", args=[
                           course.slug, lesson.pk, attempt.pk, services.scorm_commit_token(attempt=attempt)]))
    else:  # course staff previewing: the package runs, nothing is recorded
        context["scorm_cmi"] = {}
    return None


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
def my_progress(request: HttpRequest) -> HttpResponse:
    enrollments = list(selectors.enrollments_of(user=request.user))
    certified = set(Certificate.objects.filter(user=request.user).values_list("course_id", flat=True))
    for e in enrollments:
        e.percent = selectors.progress_percent(done=e.lessons_done, total=e.lessons_total)
        e.certified = e.course_id in certified
    return render(request, "courses/my_progress.html", {"enrollments": enrollments})


@course_staff_required
def analytics(request: HttpRequest) -> HttpResponse:
    from django.db.models import Count, Q

    courses = selectors.courses_visible(user=request.user).annotate(
        n_enrolled=Count("enrollments", distinct=True),
        n_completed=Count("enrollments", filter=Q(enrollments__completed_at__isnull=False), distinct=True),
        n_certified=Count("certificates", distinct=True))
    return render(request, "courses/analytics.html", {"courses": courses})


@course_staff_required
def analytics_course(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    return render(request, "courses/analytics_course.html", {"stats": selectors.course_analytics(course=course)})


@course_staff_required
def analytics_csv(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    stats = selectors.course_analytics(course=course)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="progress-{course.slug}.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(["email", "full_name", "enrolled_at", "lessons_done", "lessons_total", "progress_percent",
                     "score", "completed", "certified"])
    for row in stats["rows"]:
        writer.writerow([row["email"], row["full_name"], row["enrolled_at"].isoformat(), row["lessons_done"],
                         row["lessons_total"], row["progress"], row["score"], row["completed"], row["certified"]])
    return response
