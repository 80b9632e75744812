"""What a verified LTI launch does: the platform user becomes (or is) an account of the organisation within the seat
limit (SPEC R2), gets the role the platform gives (never administrator), is enrolled, and opens the course or
lesson the resource link points at, which keeps the line item the grades go to."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.errors import SeatLimitReachedError
from courses.models import Course, Lesson
from courses.services import (
    _seat_check,
    course_invitations_add,
    enrollment_create,
    tenant_default_language,
)
from mooc_platform.accounts.models import User
from mooc_platform.errors import ApplicationError
from mooc_platform.events import event_emit, user_event_data

from ..errors import Code, LtiLaunchError
from ..models import LtiLaunch, LtiPlatform, LtiResourceLink, LtiUserLink

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING = "LtiDeepLinkingRequest"
RESOURCE_LINK = "LtiResourceLinkRequest"
# Platform roles that make an instructor here (LIS v2 context roles, and their sub-roles); anything else is a learner.
INSTRUCTOR_ROLES = ("membership#Instructor", "membership#ContentDeveloper", "membership#Administrator",
                    "membership/Instructor#")
HANDOFF_SECONDS = 5 * 60


@dataclass(frozen=True)
class LaunchTarget:
    course: Course
    lesson: Lesson | None

    @property
    def path(self) -> str:
        if self.lesson is not None:
            return reverse("lesson", args=[self.course.slug, self.lesson.pk])
        return reverse("course", args=[self.course.slug])


def platform_of(*, claims: dict[str, Any]) -> LtiPlatform:
    audience = claims.get("aud")
    client_ids = audience if isinstance(audience, list) else [audience]
    platform = LtiPlatform.objects.filter(issuer=claims.get("iss"), client_id__in=[str(c) for c in client_ids],
                                          is_active=True).first()
    if platform is None:
        raise LtiLaunchError(_("This LMS is not registered with the organisation."),
                             code=Code.LTI_LAUNCH_UNKNOWN_PLATFORM)
    return platform


def role_of(*, claims: dict[str, Any]) -> str:
    roles = claims.get(CLAIM + "roles") or []
    if any(marker in str(role) for role in roles for marker in INSTRUCTOR_ROLES):
        return User.Role.INSTRUCTOR
    return User.Role.LEARNER


def is_instructor_launch(*, claims: dict[str, Any]) -> bool:
    return role_of(claims=claims) == User.Role.INSTRUCTOR


def target_of(*, claims: dict[str, Any]) -> LaunchTarget:
    """The course or lesson a launch opens: the `lesson`/`course` custom parameters our deep-linking response sets,
    else the course or lesson address given as the target link URI."""
    custom = claims.get(CLAIM + "custom") or {}
    lesson_id, slug = str(custom.get("lesson") or ""), str(custom.get("course") or "")
    if not lesson_id and not slug:
        try:
            match = resolve(urlsplit(str(claims.get(CLAIM + "target_link_uri") or "")).path or "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name == "lesson":
            lesson_id, slug = str(match.kwargs["pk"]), match.kwargs["slug"]
        elif match is not None and match.url_name in ("course", "course-landing"):
            slug = match.kwargs["slug"]
    lesson = (Lesson.objects.select_related("module__course").filter(pk=int(lesson_id)).first()
              if lesson_id.isdigit() and len(lesson_id) < 18 else None)
    if lesson is not None and (not slug or lesson.module.course.slug == slug):
        return LaunchTarget(course=lesson.module.course, lesson=lesson)
    course = Course.objects.filter(slug=slug).first() if slug and not lesson_id else None
    if course is None:
        raise LtiLaunchError(_("The course or lesson this link points at no longer exists here: ask your "
                               "instructor to choose it again in the LMS."), code=Code.LTI_LAUNCH_TARGET_UNKNOWN)
    return LaunchTarget(course=course, lesson=None)


def _email_for(*, platform: LtiPlatform, claims: dict[str, Any]) -> tuple[str, User | None]:
    """The e-mail of a new account, or the existing account the platform's e-mail names when the registration
    trusts it. An e-mail already taken (untrusted) or missing gets a private address of the link."""
    email = str(claims.get("email") or "").strip().lower()
    if email:
        existing = User.objects.filter(email=email).first()
        if existing is None:
            return email, None
        if platform.match_by_email:
            return email, existing
    digest = hashlib.sha256(f"{platform.issuer}|{claims['sub']}".encode()).hexdigest()[:24]
    return f"lti-{digest}@lti.invalid", None


def _user_of(*, platform: LtiPlatform, claims: dict[str, Any]) -> User:
    sub = str(claims.get("sub") or "")
    if not sub:
        raise LtiLaunchError(_("The LMS did not say who you are (anonymous launch): this activity needs a user."))
    link = LtiUserLink.objects.select_related("user").filter(platform=platform, sub=sub).first()
    role = role_of(claims=claims)
    name = str(claims.get("name") or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")])))
    if link is not None:
        user = link.user
    else:
        email, user = _email_for(platform=platform, claims=claims)
        if user is None:
            try:
                _seat_check()
            except SeatLimitReachedError as exc:
                raise LtiLaunchError(
                    _("The organisation has no seat left for a new user: ask its administrator to free a seat or "
                      "raise the seat limit, then open the activity again."), code=exc.code,
                    details=exc.details) from exc
            user = User.objects.create_user(email, None, role=role, full_name=name[:200],
                                            language=tenant_default_language())
            event_emit(event_type="user.created", data={"user": user_event_data(user)})
        LtiUserLink.objects.create(platform=platform, sub=sub, user=user)
    if not user.is_active:
        raise LtiLaunchError(_("Your account of this organisation is deactivated: ask its administrator."),
                             code=Code.LTI_LAUNCH_USER_INACTIVE)
    # The LMS may make a learner an instructor; it never demotes anyone nor touches administrators.
    if role == User.Role.INSTRUCTOR and user.role == User.Role.LEARNER:
        user.role = role
        user.save(update_fields=["role"])
    return user


def _resource_link_record(*, platform: LtiPlatform, claims: dict[str, Any], target: LaunchTarget,
                          now: datetime) -> LtiResourceLink:
    link = claims.get(CLAIM + "resource_link") or {}
    context = claims.get(CLAIM + "context") or {}
    ags = claims.get(AGS_CLAIM) or {}
    nrps = claims.get(NRPS_CLAIM) or {}
    values = {"deployment_id": str(claims.get(CLAIM + "deployment_id") or "")[:255],
              "title": str(link.get("title") or "")[:300], "context_id": str(context.get("id") or "")[:255],
              "context_title": str(context.get("title") or "")[:300], "course": target.course, "lesson": target.lesson,
              "lineitem_url": str(ags.get("lineitem") or "")[:500],
              "lineitems_url": str(ags.get("lineitems") or "")[:500],
              "ags_scopes": [str(s) for s in ags.get("scope") or []],
              "memberships_url": str(nrps.get("context_memberships_url") or "")[:500], "last_launch_at": now}
    resource_link_id = str(link.get("id") or "")[:255]
    try:
        with transaction.atomic():
            record, _created = LtiResourceLink.objects.update_or_create(
                platform=platform, resource_link_id=resource_link_id, defaults=values)
    except IntegrityError:  # the same link launched twice at once: the other launch recorded it
        record = LtiResourceLink.objects.get(platform=platform, resource_link_id=resource_link_id)
    return record


@dataclass(frozen=True)
class LaunchResult:
    user: User
    target: LaunchTarget
    resource_link: LtiResourceLink


@transaction.atomic
def lti_launch_accept(*, claims: dict[str, Any], now: datetime | None = None) -> LaunchResult:
    """A verified resource link launch (`claims`: the id_token's body): the account, its enrolment, the resource link
    with its line item, and the course or lesson to open."""
    now = now or timezone.now()
    platform = platform_of(claims=claims)
    target = target_of(claims=claims)
    user = _user_of(platform=platform, claims=claims)
    resource_link = _resource_link_record(platform=platform, claims=claims, target=target, now=now)
    if not user.is_course_staff:
        if target.course.status != Course.Status.PUBLISHED:
            raise LtiLaunchError(_("This course is not published yet: come back when your instructor opens it."),
                                 code=Code.LTI_LAUNCH_TARGET_UNKNOWN)
        if target.course.visibility == Course.Visibility.SPOC:
            # The LMS course's members are the SPOC's invited learners: the administrator registered the LMS.
            course_invitations_add(course=target.course, emails=[user.email])
        try:
            enrollment_create(course=target.course, user=user)
        except ApplicationError as exc:
            raise LtiLaunchError(exc.message, code=exc.code) from exc
    return LaunchResult(user=user, target=target, resource_link=resource_link)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lti_handoff_create(*, user: User, target_path: str, now: datetime | None = None) -> str:
    """A one-time link that signs `user` in on a new window (an LMS iframe does not keep our session cookie)."""
    token = secrets.token_urlsafe(32)
    LtiLaunch.objects.create(token_hash=_hash(token), user=user, target_path=target_path,
                             created_at=now or timezone.now())
    return token


@transaction.atomic
def lti_handoff_use(*, token: str, now: datetime | None = None) -> LtiLaunch:
    """The launch `token` continues, once and within five minutes."""
    now = now or timezone.now()
    launch = LtiLaunch.objects.select_for_update().select_related("user").filter(token_hash=_hash(token)).first()
    if launch is None or launch.used_at is not None or launch.created_at < now - timedelta(seconds=HANDOFF_SECONDS):
        raise LtiLaunchError(_("This link has expired or was already used: open the activity again from your LMS."),
                             code=Code.LTI_LAUNCH_EXPIRED)
    if not launch.user.is_active:
        raise LtiLaunchError(_("Your account of this organisation is deactivated: ask its administrator."),
                             code=Code.LTI_LAUNCH_USER_INACTIVE)
    launch.used_at = now
    launch.save(update_fields=["used_at"])
    return launch
