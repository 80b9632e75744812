"""Pages of learning paths (issue 14 item 10): the staff's list and editor; the learners' list and a path with
their progress, the next course and the path's certificate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from mooc_platform.accounts.permissions import course_staff_required
from mooc_platform.errors import ApplicationError
from mooc_platform.i18n import LANGUAGES
from mooc_platform.input_guards import parse_id

from ..models import Cohort, Course, LearningPath
from ..selectors import paths as path_selectors
from ..services import paths as path_services
from .common import _error


@course_staff_required
def teach_paths(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            path = path_services.path_create(title=request.POST.get("title", ""),
                                             summary=request.POST.get("summary", ""),
                                             language=request.POST.get("language", "fr"), actor=request.user)
        except ApplicationError as exc:
            _error(request, exc)
            return redirect("teach-paths")
        messages.success(request, _("Learning path created: add its courses."))
        return redirect("teach-path", path_id=path.pk)
    return render(request, "courses/teach_paths.html", {"paths": path_selectors.paths_list(),
                                                        "languages": LANGUAGES})


def _path_action(request: HttpRequest, path: LearningPath) -> None:
    action = request.POST.get("action")
    actor = request.user
    if action == "update":
        path_services.path_update(path=path, actor=actor, title=request.POST.get("title", path.title),
                                  summary=request.POST.get("summary", path.summary),
                                  language=request.POST.get("language", path.language))
        messages.success(request, _("Learning path saved."))
    elif action == "add_course":
        course = get_object_or_404(Course, pk=parse_id(request.POST.get("course")))
        path_services.path_course_add(path=path, course=course, actor=actor)
        messages.success(request, _("%(course)s added to the learning path.") % {"course": course.title})
    elif action in ("course_up", "course_down", "remove_course"):
        course = get_object_or_404(Course, pk=parse_id(request.POST.get("course")), path_steps__path=path)
        if action == "remove_course":
            path_services.path_course_remove(path=path, course=course, actor=actor)
            messages.success(request, _("%(course)s removed from the learning path.") % {"course": course.title})
        else:
            path_services.path_course_move(path=path, course=course, up=action == "course_up", actor=actor)
    elif action == "publish":
        path_services.path_publish(path=path, actor=actor)
        messages.success(request, _("The learning path is published."))
    elif action == "unpublish":
        path_services.path_unpublish(path=path, actor=actor)
        messages.success(request, _("The learning path is back to draft: learners no longer see it."))
    elif action == "enrol_cohort":
        cohort = get_object_or_404(Cohort, pk=parse_id(request.POST.get("cohort")))
        _cohort_path, made = path_services.cohort_path_enrol(cohort=cohort, path=path, actor=actor)
        messages.success(request, _("The cohort is enrolled in the learning path %(path)s: %(n)s learner(s) newly "
                                    "enrolled.") % {"path": path.title, "n": made})


@course_staff_required
def teach_path(request: HttpRequest, path_id: int) -> HttpResponse:
    path = get_object_or_404(LearningPath, pk=path_id)
    if request.method == "POST":
        try:
            _path_action(request, path)
        except ApplicationError as exc:
            _error(request, exc)
        return redirect("teach-path", path_id=path.pk)
    steps = list(path_selectors.path_steps(path=path))
    in_path = {s.course_id for s in steps}
    return render(request, "courses/teach_path.html", {
        "path": path, "steps": steps, "languages": LANGUAGES,
        "courses": [c for c in Course.objects.order_by("title", "id") if c.pk not in in_path],
        "cohorts": Cohort.objects.order_by("name", "id")})


@course_staff_required
def teach_path_delete(request: HttpRequest, path_id: int) -> HttpResponse:
    """Confirmation, then deletion: the courses, their enrolments and the certificates issued stay."""
    path = get_object_or_404(LearningPath, pk=path_id)
    if request.method == "POST":
        title = path.title
        path_services.path_delete(path=path, actor=request.user)
        messages.success(request, _("Learning path %(title)s deleted.") % {"title": title})
        return redirect("teach-paths")
    return render(request, "courses/teach_path_delete.html", {"path": path})


@login_required
def paths(request: HttpRequest) -> HttpResponse:
    return render(request, "courses/paths.html", {"paths": path_selectors.paths_published()})


@login_required
def path_page(request: HttpRequest, path_slug: str) -> HttpResponse:
    path = get_object_or_404(path_selectors.paths_visible(user=request.user), slug=path_slug)
    if request.method == "POST":
        try:
            path_services.path_enrol(path=path, user=request.user)
        except ApplicationError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("You are enrolled in the learning path and its courses."))
        return redirect("path", path_slug=path.slug)
    return render(request, "courses/path.html", {"progress": path_selectors.path_progress(path=path,
                                                                                         user=request.user)})
