"""Cohorts (issue 14 item 10): groups of the organisation's users, filled by hand or from a CSV of e-mails,
enrolled together in courses with access dates and in learning paths.

The rules, as decided:
- Only existing, active users of the organisation become members: a cohort never creates a user, so it never
  takes a seat (SPEC R2). Unknown or deactivated e-mails of a CSV are reported, row by row, and skipped.
- Enrolling a cohort in a course enrols every member (`enrollment_create`, as staff: the learner is told by the
  notification service), with the cohort's access dates copied on the enrolment; a member added later is enrolled
  the same way. Enrolling again changes the dates of the enrolments made through the cohort.
- The access dates: before `starts_on` and after `ends_on` (Paris dates, inclusive) the course's lessons are
  closed to the learner (`courses.selectors.access`); the course stays on their home with its progress and
  certificate, marked "opens on" or "access ended on". A learner already enrolled directly keeps that enrolment
  and its open access: the cohort never narrows it.
- Removing a member, or deleting the cohort, keeps the enrolments made and their progress (a learner's work is
  never deleted by a group change); the people list then shows them as enrolled directly.
- Only published courses and paths take a cohort (a learner never sees a draft)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from mooc_platform.accounts.models import User
from mooc_platform.audit import audit_record
from mooc_platform.errors import ApplicationError, ConflictError
from mooc_platform.input_guards import date_in_bounds

from ..errors import Code, EnrollmentRefusedError
from ..models import Cohort, CohortCourse, CohortMember, CohortPath, Course, Enrollment
from .learning import enrollment_create
from .user_import import _csv_rows

NAME_MAX = 200


def _name_clean(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("The cohort needs a name."), code=Code.VALIDATION_ERROR)
    if len(name) > NAME_MAX:
        raise ApplicationError(_("The cohort's name is at most %(n)s characters.") % {"n": NAME_MAX},
                               code=Code.VALIDATION_ERROR)
    return name


def _name_free(*, name: str, cohort: Cohort | None = None) -> None:
    taken = Cohort.objects.filter(name__iexact=name)
    if cohort is not None:
        taken = taken.exclude(pk=cohort.pk)
    if taken.exists():
        raise ConflictError(_("A cohort named %(name)s already exists.") % {"name": name}, code=Code.DUPLICATE)


@transaction.atomic
def cohort_create(*, name: str, actor: User) -> Cohort:
    name = _name_clean(name)
    _name_free(name=name)
    try:
        with transaction.atomic():
            cohort = Cohort.objects.create(name=name, created_by=actor)
    except IntegrityError:  # the same name created concurrently
        raise ConflictError(_("A cohort named %(name)s already exists.") % {"name": name},
                            code=Code.DUPLICATE) from None
    audit_record(action="cohort.created", actor=actor, schema_name=connection.schema_name, target=cohort,
                 after={"name": name})
    return cohort


@transaction.atomic
def cohort_rename(*, cohort: Cohort, name: str, actor: User) -> Cohort:
    name = _name_clean(name)
    if name == cohort.name:
        return cohort
    _name_free(name=name, cohort=cohort)
    before = cohort.name
    cohort.name = name
    cohort.save(update_fields=["name"])
    audit_record(action="cohort.renamed", actor=actor, schema_name=connection.schema_name, target=cohort,
                 before={"name": before}, after={"name": name})
    return cohort


@transaction.atomic
def cohort_delete(*, cohort: Cohort, actor: User) -> None:
    """Delete the cohort; the enrolments made through it stay (with their dates and progress)."""
    audit_record(action="cohort.deleted", actor=actor, schema_name=connection.schema_name, target=cohort,
                 before={"name": cohort.name, "members": cohort.memberships.count()})
    cohort.delete()


def _members_enrol(*, cohort: Cohort, users: list[User], actor: User) -> int:
    """Enrol `users` (members of `cohort`) in every course and path the cohort is enrolled in; returns how many
    course enrolments were made."""
    from .paths import path_enrol

    made = 0
    for cohort_course in CohortCourse.objects.filter(cohort=cohort).select_related("course"):
        made += _course_enrol_users(cohort_course=cohort_course, users=users, actor=actor)
    for cohort_path in CohortPath.objects.filter(cohort=cohort).select_related("path"):
        for user in users:
            path_enrol(path=cohort_path.path, user=user, actor=actor, cohort=cohort)
    return made


def _course_enrol_users(*, cohort_course: CohortCourse, users: list[User], actor: User) -> int:
    made = 0
    for user in users:
        if not user.is_active:
            continue
        enrollment, created = enrollment_create(course=cohort_course.course, user=user, actor=actor)
        if created or enrollment.cohort_id == cohort_course.cohort_id:
            Enrollment.objects.filter(pk=enrollment.pk).update(
                cohort=cohort_course.cohort, access_starts_on=cohort_course.starts_on,
                access_ends_on=cohort_course.ends_on)
        made += created
    return made


@transaction.atomic
def cohort_members_add(*, cohort: Cohort, users: list[User], actor: User) -> list[User]:
    """Add existing active users to the cohort (members already there are left); each new member is enrolled in
    the cohort's courses and paths. Returns the users added."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    wanted = {u.pk: u for u in users if u.is_active and u.role != User.Role.OPERATOR}
    already = set(CohortMember.objects.filter(cohort=cohort, user_id__in=list(wanted))
                  .values_list("user_id", flat=True))
    added = [u for pk, u in wanted.items() if pk not in already]
    CohortMember.objects.bulk_create([CohortMember(cohort=cohort, user=u) for u in added], ignore_conflicts=True)
    if added:
        _members_enrol(cohort=cohort, users=added, actor=actor)
        audit_record(action="cohort.members_added", actor=actor, schema_name=connection.schema_name, target=cohort,
                     after={"emails": sorted(u.email for u in added)})
    return added


@transaction.atomic
def cohort_member_remove(*, cohort: Cohort, user: User, actor: User) -> bool:
    """Take `user` out of the cohort; their enrolments and progress stay."""
    deleted, _rows = CohortMember.objects.filter(cohort=cohort, user=user).delete()
    if deleted:
        audit_record(action="cohort.member_removed", actor=actor, schema_name=connection.schema_name,
                     target=cohort, before={"email": user.email})
    return bool(deleted)


@dataclass
class CohortImportRow:
    line: int
    email: str
    action: str  # added | already | error
    error: str = ""


@dataclass
class CohortImportReport:
    rows: list[CohortImportRow] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def summary(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("added", "already", "error")}

    @property
    def errors(self) -> list[CohortImportRow]:
        return [row for row in self.rows if row.action == "error"]


def cohort_members_import(*, cohort: Cohort, csv_text: str, actor: User) -> CohortImportReport:
    """Add the users of a CSV with an `email` column (the header and guards of the user import, SPEC R2): each
    known active user becomes a member; an unknown, deactivated, invalid or repeated e-mail is reported on its
    line and skipped (no user is created: a cohort takes no seat)."""
    rows = _csv_rows(csv_text)
    emails = {record.get("email", "").strip().lower() for _line, record in rows}
    known = {u.email: u for u in User.objects.filter(email__in=emails).exclude(role=User.Role.OPERATOR)}
    members = set(CohortMember.objects.filter(cohort=cohort, user__email__in=emails)
                  .values_list("user__email", flat=True))
    report = CohortImportReport()
    seen: set[str] = set()
    to_add: list[User] = []
    for line, record in rows:
        email = record.get("email", "").strip().lower()
        row = CohortImportRow(line=line, email=email, action="error")
        try:
            validate_email(email)
        except ValidationError:
            row.error = _("Not a valid e-mail address.")
        else:
            user = known.get(email)
            if email in seen:
                row.error = _("This e-mail appears earlier in the file.")
            elif user is None:
                row.error = _("No user of the organisation has this e-mail: invite them first.")
            elif not user.is_active:
                row.error = _("This user is deactivated.")
            elif email in members:
                row.action = "already"
            else:
                row.action = "added"
                to_add.append(user)
        seen.add(email)
        report.rows.append(row)
    if to_add:
        cohort_members_add(cohort=cohort, users=to_add, actor=actor)
    return report


def _dates_clean(starts_on: date | str | None, ends_on: date | str | None) -> tuple[date | None, date | None]:
    def parse(value: date | str | None) -> date | None:
        if value in (None, ""):
            return None
        if isinstance(value, date):
            parsed = value
        else:
            try:
                parsed = date.fromisoformat(str(value).strip())
            except ValueError:
                raise ApplicationError(_("The dates are not valid (YYYY-MM-DD)."),
                                       code=Code.VALIDATION_ERROR) from None
        if not date_in_bounds(parsed):
            raise ApplicationError(_("The dates are not valid (YYYY-MM-DD)."), code=Code.VALIDATION_ERROR)
        return parsed

    start, end = parse(starts_on), parse(ends_on)
    if start and end and end < start:
        raise ApplicationError(_("The end date is before the start date."), code=Code.VALIDATION_ERROR)
    return start, end


@transaction.atomic
def cohort_course_enrol(*, cohort: Cohort, course: Course, starts_on: date | str | None = None,
                        ends_on: date | str | None = None, actor: User) -> tuple[CohortCourse, int]:
    """Enrol the cohort in a published course between two dates (both optional, inclusive, Paris time): every
    member is enrolled and told (notification "enrolment"); members added later too. Enrolling again moves the
    dates of the enrolments made through the cohort. Returns the cohort's enrolment and how many learners were
    newly enrolled."""
    start, end = _dates_clean(starts_on, ends_on)
    if course.status != Course.Status.PUBLISHED:
        raise EnrollmentRefusedError(_("Publish the course before enrolling a cohort in it."))
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    cohort_course, created = CohortCourse.objects.update_or_create(
        cohort=cohort, course=course, defaults={"starts_on": start, "ends_on": end})
    Enrollment.objects.filter(cohort=cohort, course=course).update(access_starts_on=start, access_ends_on=end)
    users = list(User.objects.filter(cohort_memberships__cohort=cohort, is_active=True).order_by("email"))
    made = _course_enrol_users(cohort_course=cohort_course, users=users, actor=actor)
    audit_record(action="cohort.course_enrolled", actor=actor, schema_name=connection.schema_name, target=cohort,
                 after={"course": course.slug, "starts_on": str(start or ""), "ends_on": str(end or ""),
                        "enrolled": made, "new": created})
    return cohort_course, made


@transaction.atomic
def cohort_course_withdraw(*, cohort_course: CohortCourse, actor: User) -> None:
    """Stop enrolling the cohort's new members in the course; the enrolments made stay."""
    audit_record(action="cohort.course_withdrawn", actor=actor, schema_name=connection.schema_name,
                 target=cohort_course.cohort, before={"course": cohort_course.course.slug})
    cohort_course.delete()


def cohort_import_error_rows(*, report: CohortImportReport) -> list[list[Any]]:
    """The rows not imported, for the downloadable error report."""
    return [[row.line, row.email, row.error] for row in report.errors]
