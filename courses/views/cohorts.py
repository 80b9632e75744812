"""Pages of cohorts (issue 14 item 10), for the organisation's instructors and administrators: the list, a cohort
(members, courses with dates, paths), its CSV import and its deletion; a course's people with their cohort."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from mooc_platform.accounts.models import User
from mooc_platform.accounts.permissions import course_staff_required
from mooc_platform.errors import ApplicationError
from mooc_platform.input_guards import parse_id
from mooc_platform.spreadsheets import SafeCsvWriter

from ..models import Cohort, CohortCourse, Course, LearningPath
from ..selectors import cohorts as cohort_selectors
from ..selectors.access import enrollment_access_state
from ..services import cohorts as cohort_services
from ..services import paths as path_services
from .common import _error

CSV_MAX_BYTES = 2 * 1024 * 1024
_REPORT_KEY = "cohort_import_errors"


@course_staff_required
def teach_cohorts(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            cohort = cohort_services.cohort_create(name=request.POST.get("name", ""), actor=request.user)
        except ApplicationError as exc:
            _error(request, exc)
            return redirect("teach-cohorts")
        messages.success(request, _("Cohort %(name)s created.") % {"name": cohort.name})
        return redirect("teach-cohort", cohort_id=cohort.pk)
    return render(request, "courses/teach_cohorts.html", {"cohorts": cohort_selectors.cohorts_list()})


def _cohort_action(request: HttpRequest, cohort: Cohort) -> None:
    action = request.POST.get("action")
    actor = request.user
    if action == "rename":
        cohort_services.cohort_rename(cohort=cohort, name=request.POST.get("name", ""), actor=actor)
        messages.success(request, _("Cohort renamed."))
    elif action == "add_members":
        ids = [i for i in (parse_id(v) for v in request.POST.getlist("user")[:200]) if i is not None]
        added = cohort_services.cohort_members_add(cohort=cohort, users=list(User.objects.filter(pk__in=ids)),
                                                   actor=actor)
        messages.success(request, _("%(n)s member(s) added.") % {"n": len(added)})
    elif action == "remove_member":
        user = get_object_or_404(User, pk=parse_id(request.POST.get("user")), cohort_memberships__cohort=cohort)
        cohort_services.cohort_member_remove(cohort=cohort, user=user, actor=actor)
        messages.success(request, _("%(email)s is no longer a member; their enrolments stay.") % {"email": user.email})
    elif action == "enrol_course":
        course = get_object_or_404(Course, pk=parse_id(request.POST.get("course")))
        _cohort_course, made = cohort_services.cohort_course_enrol(
            cohort=cohort, course=course, starts_on=request.POST.get("starts_on", ""),
            ends_on=request.POST.get("ends_on", ""), actor=actor)
        messages.success(request, _("The cohort is enrolled in %(course)s: %(n)s learner(s) newly enrolled.")
                         % {"course": course.title, "n": made})
    elif action == "withdraw_course":
        cohort_course = get_object_or_404(CohortCourse, pk=parse_id(request.POST.get("cohort_course")),
                                          cohort=cohort)
        cohort_services.cohort_course_withdraw(cohort_course=cohort_course, actor=actor)
        messages.success(request, _("New members will no longer be enrolled in this course; the enrolments made "
                                    "stay."))
    elif action == "enrol_path":
        path = get_object_or_404(LearningPath, pk=parse_id(request.POST.get("path")))
        _cohort_path, made = path_services.cohort_path_enrol(cohort=cohort, path=path, actor=actor)
        messages.success(request, _("The cohort is enrolled in the learning path %(path)s: %(n)s learner(s) newly "
                                    "enrolled.") % {"path": path.title, "n": made})


@course_staff_required
def teach_cohort(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort, pk=cohort_id)
    if request.method == "POST":
        try:
            _cohort_action(request, cohort)
        except ApplicationError as exc:
            _error(request, exc)
        return redirect("teach-cohort", cohort_id=cohort.pk)
    query = request.GET.get("q", "")
    return render(request, "courses/teach_cohort.html", {
        "cohort": cohort, "members": cohort_selectors.cohort_members(cohort=cohort),
        "cohort_courses": cohort_selectors.cohort_courses(cohort=cohort),
        "cohort_paths": cohort_selectors.cohort_paths(cohort=cohort),
        "query": query, "found": cohort_selectors.cohort_users_search(cohort=cohort, query=query),
        "courses": Course.objects.filter(status=Course.Status.PUBLISHED).order_by("title", "id"),
        "paths": LearningPath.objects.filter(status=LearningPath.Status.PUBLISHED).order_by("title", "id")})


@course_staff_required
def teach_cohort_delete(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """Confirmation, then deletion: the enrolments made through the cohort stay."""
    cohort = get_object_or_404(Cohort, pk=cohort_id)
    if request.method == "POST":
        name = cohort.name
        cohort_services.cohort_delete(cohort=cohort, actor=request.user)
        messages.success(request, _("Cohort %(name)s deleted; its members keep their enrolments.") % {"name": name})
        return redirect("teach-cohorts")
    return render(request, "courses/teach_cohort_delete.html", {"cohort": cohort,
                                                                "members": cohort.memberships.count()})


@course_staff_required
def teach_cohort_import(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """A CSV of e-mails (an `email` column): the known users become members; the result names each line."""
    cohort = get_object_or_404(Cohort, pk=cohort_id)
    context: dict[str, Any] = {"cohort": cohort}
    if request.method == "POST":
        upload = request.FILES.get("file")
        text = (upload.read(CSV_MAX_BYTES).decode("utf-8-sig", errors="replace") if upload
                else request.POST.get("csv_text", ""))
        try:
            report = cohort_services.cohort_members_import(cohort=cohort, csv_text=text, actor=request.user)
        except ApplicationError as exc:
            _error(request, exc)
            return render(request, "courses/teach_cohort_import.html", context, status=exc.status_code)
        request.session[_REPORT_KEY] = {"cohort": cohort.pk,
                                        "rows": cohort_services.cohort_import_error_rows(report=report)}
        context.update({"report": report, "summary": report.summary()})
    return render(request, "courses/teach_cohort_import.html", context)


@course_staff_required
def teach_cohort_import_report(request: HttpRequest, cohort_id: int) -> HttpResponse:
    """The lines of this user's last import into the cohort that added nobody, with the reason, as CSV."""
    cohort = get_object_or_404(Cohort, pk=cohort_id)
    saved = request.session.get(_REPORT_KEY)
    if not saved or saved.get("cohort") != cohort.pk:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cohort-import-errors.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(["line", "email", _("error")])
    writer.writerows(saved["rows"])
    return response


@course_staff_required
def teach_course_people(request: HttpRequest, course_id: int) -> HttpResponse:
    """The course's learners: progress, access dates and the cohort they came through."""
    course = get_object_or_404(Course, pk=course_id)
    people = list(cohort_selectors.course_people(course=course))
    for enrollment in people:
        enrollment.access_state = enrollment_access_state(enrollment=enrollment)
    return render(request, "courses/teach_course_people.html", {"course": course, "people": people})
