"""Pages: course discussions, reports and the moderation queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mooc_platform.accounts.permissions import course_staff_required
from mooc_platform.errors import ApplicationError
from mooc_platform.input_guards import parse_id

from .. import selectors, services
from ..models import Lesson, Post, PostReport
from .common import _course, _error


def _lesson_of(course, value: str | None) -> Lesson | None:  # type: ignore[no-untyped-def]
    lesson_id = parse_id(value)
    if lesson_id is None:
        return None
    return get_object_or_404(Lesson.objects.select_related("module"), pk=lesson_id, module__course=course)


@login_required
def discussion(request: HttpRequest, slug: str) -> HttpResponse:
    """The course's threads (`?lesson=<id>`: those about one lesson); post, reply, follow, moderate."""
    course = _course(request, slug)
    if request.method == "POST":
        action = request.POST.get("action", "post")
        lesson = _lesson_of(course, request.POST.get("lesson"))
        try:
            if action == "post":
                parent = None
                if request.POST.get("parent"):
                    parent = get_object_or_404(Post, pk=parse_id(request.POST["parent"]), course=course)
                services.post_create(course=course, author=request.user, body=request.POST.get("body", ""),
                                     parent=parent, lesson=lesson)
                messages.success(request, _("Your post is published."))
            elif action in ("follow", "unfollow"):
                post = get_object_or_404(Post, pk=parse_id(request.POST.get("post")), course=course)
                services.post_follow(post=post, user=request.user, follow=action == "follow")
                messages.success(request, _("You follow this thread: you will be told of each reply.")
                                 if action == "follow" else _("You no longer follow this thread."))
            elif action in ("hide", "restore"):
                post = get_object_or_404(Post.objects.select_related("author", "course"),
                                         pk=parse_id(request.POST.get("post")), course=course)
                if action == "hide":
                    services.post_hide(post=post, moderator=request.user, reason=request.POST.get("reason", ""))
                else:
                    services.post_restore(post=post, moderator=request.user)
        except ApplicationError as exc:
            _error(request, exc)
        target = reverse("discussion", args=[slug])
        return redirect(f"{target}?lesson={lesson.pk}" if lesson is not None else target)
    try:
        services.member_check(course=course, user=request.user)
    except ApplicationError as exc:
        _error(request, exc)
        return redirect("course", slug=slug)
    lesson = _lesson_of(course, request.GET.get("lesson"))
    return render(request, "courses/discussion.html", {
        "course": course, "lesson": lesson, "lessons": selectors.course_lessons(course=course),
        "threads": selectors.posts_of_course(course=course, viewer=request.user, lesson=lesson),
        "is_moderator": request.user.is_course_staff})


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


@course_staff_required
def moderation(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        action = request.POST.get("action")
        report = get_object_or_404(PostReport.objects.select_related("post__author", "post__course"),
                                   pk=parse_id(request.POST.get("report")))
        try:
            if action == "hide":
                services.post_hide(post=report.post, moderator=request.user, reason=report.reason)
                messages.success(request, _("Post hidden; its author was told."))
            elif action == "restore":
                services.post_restore(post=report.post, moderator=request.user)
                messages.success(request, _("Post restored: it is visible again."))
            else:
                services.report_dismiss(report=report, moderator=request.user)
                messages.success(request, _("Report dismissed: the post stays as it is."))
        except ApplicationError as exc:
            _error(request, exc)
        return redirect("moderation")
    return render(request, "courses/moderation.html", {"reports": selectors.reports_open()})
