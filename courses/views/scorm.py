"""SCORM packages in the player (issue 14 item 6): the package's files, served from the app's origin to the
learners enrolled and the course staff, and the JSON endpoint the runtime (scorm-again) commits `cmi` data to."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from mooc_platform.errors import ApplicationError

from .. import services
from ..models import ScormAttempt, ScormPackage
from .learning import _lesson

# A package's own pages run their own scripts (inline ones too, as authoring tools write them) and reach the
# runtime's API in the parent window, so they are served from the app's origin, framed by it only, and may
# connect, submit forms and load media from that origin only.
PACKAGE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "media-src": ["'self'", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "form-action": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'self'"],
}
CHUNK = 64 * 1024


def _chunks(body: Any) -> Any:
    try:
        while chunk := body.read(CHUNK):
            yield chunk
    finally:
        body.close()


@login_required
@require_GET
@xframe_options_sameorigin
def scorm_file(request: HttpRequest, slug: str, pk: int, package_id: int, path: str) -> HttpResponse:
    """One file of a lesson's package, streamed from S3 (enrolled learners and course staff only)."""
    _course, lesson, _enrollment = _lesson(request, slug, pk)
    package = get_object_or_404(ScormPackage.objects.select_related("content"), pk=package_id, lesson=lesson,
                                status=ScormPackage.Status.READY)
    opened = services.scorm_file_open(package=package, path=path)
    if opened is None:
        raise Http404
    body, length, content_type = opened
    response = StreamingHttpResponse(_chunks(body), content_type=content_type)
    response["Content-Length"] = str(length)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    response._csp_replace = PACKAGE_CSP  # type: ignore[attr-defined]
    return response


def _answer(result: bool, status: int = 200, **extra: Any) -> JsonResponse:
    return JsonResponse({"result": result, "errorCode": 0 if result else 101, **extra}, status=status)


@csrf_exempt  # a token of the attempt in the URL instead: the runtime's last commit is a beacon, without headers
@require_POST
def scorm_commit(request: HttpRequest, slug: str, pk: int, attempt_id: int, token: str) -> HttpResponse:
    """The runtime commits the attempt's `cmi` data here (JSON, COMMIT_MAX_BYTES at most). Answers in the shape
    scorm-again reads: {"result": true, "errorCode": 0}, and whether the lesson is completed."""
    if not request.user.is_authenticated:
        return _answer(False, 403, message=_("Sign in again: your progress was not saved."))
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return _answer(False, 403, message=_("This request does not come from the course player."))
    _course, lesson, _enrollment = _lesson(request, slug, pk)
    attempt = ScormAttempt.objects.filter(pk=attempt_id, lesson=lesson, user=request.user).first()
    if attempt is None or not services.scorm_commit_token_check(attempt=attempt, token=token):
        return _answer(False, 403, message=_("This request does not come from the course player."))
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        length = 0
    if length > services.COMMIT_MAX_BYTES:
        return _answer(False, 413, message=_("The SCORM data sent is too large."))
    raw = request.read(services.COMMIT_MAX_BYTES + 1)
    if len(raw) > services.COMMIT_MAX_BYTES:
        return _answer(False, 413, message=_("The SCORM data sent is too large."))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _answer(False, 400, message=_("The SCORM data sent is not valid."))
    try:
        attempt, completed, certificate = services.scorm_attempt_commit(attempt=attempt, user=request.user, data=data)
    except ApplicationError as exc:
        return _answer(False, exc.status_code, message=exc.message)
    return _answer(True, completed=completed, certificate=certificate.code if certificate else None,
                   score=str(attempt.score) if attempt.score is not None else None)
