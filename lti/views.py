"""The LTI tool's endpoints (JWKS, OIDC login initiation, launch, deep linking) and the administrators' pages of
platform registrations (tenant host). The launch pages may be framed by the registered platforms only; the rest of
the site keeps `frame-ancestors 'none'`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.models import Course, Lesson
from mooc_platform.accounts.permissions import administrator_required
from mooc_platform.errors import ApplicationError

from . import selectors
from .errors import LtiLaunchError, LtiServiceError
from .forms import LtiPlatformForm
from .models import LtiPlatform
from .services import launches, roster
from .services import platforms as services
from .tool import launch_validate, message_launch, oidc_login

BACKEND = "django.contrib.auth.backends.ModelBackend"
FRAMES = ("iframe", "frame", "embed", "object")
LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id")


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def _framed(response: HttpResponse, *, anyone: bool = False) -> HttpResponse:
    """Let the registered platforms' pages frame this response (LMSs open tools in an iframe). `anyone`: an error
    page, which has nothing to click, may show in any frame (an unregistered LMS's included, to say so)."""
    origins = set()
    for platform in LtiPlatform.objects.filter(is_active=True).only("issuer", "auth_login_url"):
        origins.update(filter(None, [_origin(platform.issuer), _origin(platform.auth_login_url)]))
    allowed = ["*"] if anyone else sorted(origins) or ["'none'"]
    response._csp_replace = {"frame-ancestors": allowed}  # type: ignore[attr-defined]
    response.xframe_options_exempt = True  # type: ignore[attr-defined]
    return response


def _error(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    response = render(request, "lti/launch_error.html", {"message": error.message, "code": error.code}, status=400)
    return _framed(response, anyone=True)


def _absolute(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(reverse(name))


# --- The tool's endpoints ------------------------------------------------------------------------


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The organisation's public keys (JSON Web Key Set), read by the platforms to verify the tool's signatures."""
    services.tool_key_ensure()
    response = JsonResponse(selectors.tool_jwks())
    response["Cache-Control"] = "public, max-age=3600"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def login_initiation(request: HttpRequest) -> HttpResponse:
    """Third-party initiated login: check the platform, set the state cookie and send the browser to the platform's
    authentication endpoint with a nonce."""
    from pylti1p3.exception import OIDCException

    params = request.POST if request.method == "POST" else request.GET
    target = params.get("target_link_uri") or ""
    if target and _origin(target) != _origin(request.build_absolute_uri("/")):
        return _error(request, LtiLaunchError(_("The LMS asked to open an address of another site.")))
    try:
        login = oidc_login(request, key=services.tool_key_ensure())
        login.validate_oidc_login()
        if request.headers.get("Sec-Fetch-Dest") in FRAMES:
            # A frame of another site gets no cookie (browsers block third-party cookies): neither the OIDC state
            # cookie nor, later, a session. The whole launch runs in a new window, where both are first-party.
            query = urlencode({key: params[key] for key in LOGIN_PARAMS if params.get(key)} | {"new_window": "1"})
            return _framed(render(request, "lti/launch_window.html",
                                  {"url": f"{reverse('lti-login')}?{query}"}))
        return login.redirect(_absolute(request, "lti-launch"))
    except OIDCException:
        return _error(request, LtiLaunchError(_("This LMS is not registered with the organisation: ask its "
                                                "administrator to register it (issuer and client ID) on the LTI "
                                                "page."), code="lti_launch_unknown_platform"))


@csrf_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """The id_token's POST: a deep-linking request shows the picker, a resource link opens the course or lesson (in
    a frame, through a one-time link to a new window, since the frame keeps no session cookie)."""
    lti_launch = message_launch(request, key=services.tool_key_ensure())
    try:
        claims = launch_validate(lti_launch)
        if lti_launch.is_deep_link_launch():
            return _deep_link_picker(request, claims=claims, launch_id=lti_launch.get_launch_id())
        if not lti_launch.is_resource_launch():
            raise LtiLaunchError(_("This kind of LTI message is not supported here."))
        result = launches.lti_launch_accept(claims=claims)
    except ApplicationError as error:
        return _error(request, error)
    if request.headers.get("Sec-Fetch-Dest") in FRAMES:
        token = launches.lti_handoff_create(user=result.user, target_path=result.target.path)
        return _framed(render(request, "lti/launch_continue.html", {
            "url": reverse("lti-continue", args=[token]), "course": result.target.course,
            "lesson": result.target.lesson, "user": result.user}))
    login(request, result.user, backend=BACKEND)
    return redirect(result.target.path)


@require_GET
def launch_continue(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link of a framed launch, opened in a new window: signs the person in and opens the page."""
    try:
        handoff = launches.lti_handoff_use(token=token)
    except ApplicationError as error:
        return _error(request, error)
    login(request, handoff.user, backend=BACKEND)
    return redirect(handoff.target_path)


def _deep_link_picker(request: HttpRequest, *, claims: dict[str, Any], launch_id: str) -> HttpResponse:
    launches.platform_of(claims=claims)
    if not launches.is_instructor_launch(claims=claims):
        raise LtiLaunchError(_("Only the LMS course's instructors can choose the content to add."))
    courses = list(Course.objects.prefetch_related("modules__lessons").order_by("title"))
    return _framed(render(request, "lti/deep_link_pick.html", {"courses": courses, "launch_id": launch_id}))


@csrf_exempt
@require_POST
def deep_link_respond(request: HttpRequest) -> HttpResponse:
    """The picked course or lesson, sent back to the platform as a signed LtiDeepLinkingResponse (with a line item
    for a quiz or a course, so its grades come back). The launch id, held by the picker's frame only, is the
    proof that this POST follows a verified deep-linking launch; it is used once."""
    from pylti1p3.contrib.django import DjangoMessageLaunch
    from pylti1p3.deep_link_resource import DeepLinkResource
    from pylti1p3.exception import LtiException
    from pylti1p3.lineitem import LineItem

    from .tool import SchemaCacheStorage, SchemaToolConf, _services

    launch_id = request.POST.get("launch_id", "")
    choice = request.POST.get("item", "")
    key = services.tool_key_ensure()
    lti_request, session, cookies = _services(request)
    try:
        if not launch_id.startswith("lti1p3-launch-"):
            raise LtiException("Launch data not found")
        lti_launch = DjangoMessageLaunch.from_cache(launch_id, lti_request, SchemaToolConf(key=key),
                                                    session_service=session, cookie_service=cookies)
    except LtiException:
        return _error(request, LtiLaunchError(_("This choice has expired or was already sent: open the selection "
                                                "again from your LMS."), code="lti_launch_expired"))
    kind, _sep, raw_id = choice.partition(":")
    course = lesson = None
    if kind == "lesson" and raw_id.isdigit() and len(raw_id) < 18:
        lesson = Lesson.objects.select_related("module__course").filter(pk=int(raw_id)).first()
        course = lesson.module.course if lesson else None
    elif kind == "course" and raw_id.isdigit() and len(raw_id) < 18:
        course = Course.objects.filter(pk=int(raw_id)).first()
    if course is None:
        return _error(request, LtiLaunchError(_("Choose a course or a lesson.")))
    SchemaCacheStorage().forget(launch_id)  # used once
    if lesson is not None:
        url = request.build_absolute_uri(reverse("lesson", args=[course.slug, lesson.pk]))
        title, custom = lesson.title, {"course": course.slug, "lesson": str(lesson.pk)}
        graded = lesson.kind == Lesson.Kind.QUIZ
    else:
        url = request.build_absolute_uri(reverse("course", args=[course.slug]))
        title, custom = course.title, {"course": course.slug}
        graded = Lesson.objects.filter(module__course=course, kind=Lesson.Kind.QUIZ).exists()
    resource = DeepLinkResource().set_url(url).set_title(title).set_custom_params(custom)
    if graded:
        resource.set_lineitem(LineItem().set_score_maximum(100).set_label(title)
                              .set_resource_id(f"lesson-{lesson.pk}" if lesson else f"course-{course.pk}"))
    deep_link = lti_launch.get_deep_link()
    jwt = deep_link.get_response_jwt([resource])
    return_url = lti_launch.get_launch_data()[
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]["deep_link_return_url"]
    return _framed(render(request, "lti/deep_link_return.html", {"return_url": return_url, "jwt": jwt,
                                                                 "title": title}))


# --- The administrators' pages -------------------------------------------------------------------


def _errors_to_form(form: forms.Form, error: ApplicationError) -> None:
    for field, errors in error.details.items():
        if field in form.fields and isinstance(errors, list) and errors:
            form.add_error(field, str(errors[0]))
    if not form.errors:
        form.add_error(None, error.message)


def _tool_urls(request: HttpRequest) -> dict[str, str]:
    return {"login": _absolute(request, "lti-login"), "launch": _absolute(request, "lti-launch"),
            "jwks": _absolute(request, "lti-jwks"), "deep_link": _absolute(request, "lti-launch"),
            "domain": request.get_host()}


def _platform(platform_id: int) -> LtiPlatform:
    platform = selectors.lti_platform_get(platform_id=platform_id)
    if platform is None:
        raise Http404
    return platform


@administrator_required
def platforms_page(request: HttpRequest) -> HttpResponse:
    form = LtiPlatformForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                platform = services.lti_platform_create(data=form.cleaned_data, actor=request.user)
            except ApplicationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Platform registered."))
                return redirect("lti-platform", platform_id=platform.pk)
    return render(request, "lti/platforms.html", {"form": form, "platforms": list(selectors.lti_platforms()),
                                                  "urls": _tool_urls(request)}, status=status)


@administrator_required
def platform_page(request: HttpRequest, platform_id: int) -> HttpResponse:
    platform = _platform(platform_id)
    initial = {field: getattr(platform, field) for field in LtiPlatformForm.base_fields}
    initial["deployment_ids"] = "\n".join(platform.deployment_ids)
    form = LtiPlatformForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.lti_platform_update(platform=platform, data=form.cleaned_data, actor=request.user)
            except ApplicationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Platform saved."))
                return redirect("lti-platform", platform_id=platform.pk)
    return render(request, "lti/platform.html", {
        "form": form, "platform": platform, "urls": _tool_urls(request),
        "links": list(selectors.lti_resource_links(platform=platform)[:50]),
        "scores": list(selectors.lti_scores(platform=platform)[:50])}, status=status)


@administrator_required
def platform_delete_page(request: HttpRequest, platform_id: int) -> HttpResponse:
    platform = _platform(platform_id)
    if request.method == "POST":
        services.lti_platform_delete(platform=platform, actor=request.user)
        messages.success(request, _("Platform deleted."))
        return redirect("lti-platforms")
    return render(request, "lti/platform_delete.html", {"platform": platform})


@administrator_required
def roster_page(request: HttpRequest, platform_id: int, link_id: int) -> HttpResponse:
    platform = _platform(platform_id)
    link = selectors.lti_resource_link_get(platform=platform, link_id=link_id)
    if link is None:
        raise Http404
    members, error = [], ""
    try:
        members = roster.lti_roster_read(resource_link=link)
    except LtiServiceError as exc:
        error = exc.message
    return render(request, "lti/roster.html", {"platform": platform, "link": link, "members": members,
                                               "error": error}, status=502 if error else 200)
