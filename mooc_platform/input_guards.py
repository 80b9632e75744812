"""No input gives a 500 (SPEC §4, issue 11 item 4): the guards that hold for every host, page and API.

The rule is enforced by class, not by endpoint:

- `HostileInputMiddleware` refuses a NUL byte anywhere in the path, the query string or a form field
  (PostgreSQL text cannot hold one), and turns what the database refuses because of the input into a
  client error: a value that does not fit its column (`DataError`: number out of range, string too
  long, impossible date) is a 400, a unique row created twice by concurrent requests
  (`IntegrityError`) is a 409. Pages get a short HTML page, `/api/` paths the JSON error shape.
- `mooc_platform.parsers.BoundedJSONParser` (DRF's default parser) limits the body size like Django limits forms
  (`DATA_UPLOAD_MAX_MEMORY_SIZE`), the nesting depth, and refuses integers past 64 bits, NaN/Infinity
  and NUL characters before any serializer runs.
- `dates_bound()` keeps every date and datetime an API field or form field accepts within
  DATE_MIN_YEAR..DATE_MAX_YEAR: year 9999 overflows as soon as it is shifted to Paris time.
- `api_not_found` and friends answer unknown `/api/` paths with the JSON error shape.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, ValidationError
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from rest_framework import exceptions

from .errors import Code, error_body

logger = logging.getLogger(__name__)

DATE_MIN_YEAR = 1900
DATE_MAX_YEAR = 2199
INT64_MAX = 2**63 - 1


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def input_error_response(request: HttpRequest, *, status: int, code: str, message: str,
                         details: dict[str, Any] | None = None) -> HttpResponse:
    """The JSON error shape on `/api/`, a short plain page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body(code, message, details), status=status)
    from django.template.loader import render_to_string

    try:
        html = render_to_string("input_error.html", {"status": status, "message": message}, request=request)
    except Exception:
        html = f"<!doctype html><title>{status}</title><p>{message}</p>"
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def _has_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def _querydict_has_nul(data: Mapping[str, Any]) -> bool:
    return any("\x00" in key or _has_nul(v for v in data.getlist(key) if isinstance(v, str))  # type: ignore[attr-defined]
               for key in data)


def _raised_by_field_conversion(exception: BaseException) -> bool:
    """True when the innermost frame is a model field converting a lookup value (`get_prep_value`,
    `to_python`): the value came from the request, not from a bug of ours."""
    tb = exception.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and "/django/db/models/fields/" in tb.tb_frame.f_code.co_filename.replace("\\", "/")


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class HostileInputMiddleware:
    """Right after the tenant middleware (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self._refuse(request)
        if refused is not None:
            return refused
        return self.get_response(request)

    def _refuse(self, request: HttpRequest) -> HttpResponse | None:
        nul = "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "") \
            or _querydict_has_nul(request.GET)
        if not nul and request.method == "POST" and request.content_type in FORM_TYPES:
            try:
                if _content_length(request) <= (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0):
                    request.body  # noqa: B018 - kept in memory: a view may still read the raw body (webhooks)
                nul = _querydict_has_nul(request.POST)
            except RequestDataTooBig:
                return input_error_response(request, status=413, code=Code.REQUEST_TOO_LARGE,
                                            message=_("The request is too large."))
            except (MultiPartParserError, UnreadablePostError, SuspiciousOperation, ValueError):
                # an unreadable body (truncated, malformed multipart, too many fields) is the client's fault
                return input_error_response(request, status=400, code=Code.BAD_REQUEST,
                                            message=_("The request could not be read."))
        if nul:
            return input_error_response(request, status=400, code=Code.INVALID_CHARACTERS,
                                        message=_("The request contains a NUL character."))
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, IntegrityError):
            logger.info("conflict turned into 409 on %s: %s", request.path, exception)
            return input_error_response(request, status=409, code=Code.CONFLICT, message=_(
                "This conflicts with a change made at the same time: reload and try again."))
        if isinstance(exception, DataError):
            logger.info("database refused input on %s: %s", request.path, exception)
            return input_error_response(request, status=400, code=Code.INVALID_INPUT, message=_(
                "A value sent is out of range or too long."))
        if isinstance(exception, ValidationError):
            return input_error_response(request, status=400, code=Code.VALIDATION_ERROR,
                                        message=_("The data sent is not valid."),
                                        details={"non_field_errors": exception.messages})
        if isinstance(exception, RequestDataTooBig):
            return input_error_response(request, status=413, code=Code.REQUEST_TOO_LARGE,
                                        message=_("The request is too large."))
        if isinstance(exception, ValueError | TypeError) and _raised_by_field_conversion(exception):
            # `Model.objects.get(pk="abc")`: Django's field refused to convert a value sent by the client.
            return input_error_response(request, status=400, code=Code.INVALID_INPUT, message=_(
                "A value sent is out of range or too long."))
        if isinstance(exception, RecursionError | OverflowError):
            return input_error_response(request, status=400, code=Code.INVALID_INPUT, message=_(
                "A value sent is out of range or too long."))
        return None


_ID = re.compile(r"[0-9]{1,18}")


def parse_id(value: object) -> int | None:
    """An id typed in a form or a query string, or None: ASCII digits only (`"²".isdigit()` is True,
    `int("²")` fails) and within PostgreSQL's bigint."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value <= INT64_MAX else None
    if isinstance(value, str) and _ID.fullmatch(value.strip()):
        return int(value.strip())
    return None


# --- Dates ---------------------------------------------------------------------------------------


def _in_bounds(value: Any) -> bool:
    year = getattr(value, "year", None)
    return year is None or DATE_MIN_YEAR <= year <= DATE_MAX_YEAR


def dates_bound() -> None:
    """Bound every DRF and Django-forms date and datetime field (called once, from AppConfig.ready).
    A year outside DATE_MIN_YEAR..DATE_MAX_YEAR is a validation error like any malformed date."""
    from django import forms
    from rest_framework import fields as drf_fields

    message = f"Dates must lie between the years {DATE_MIN_YEAR} and {DATE_MAX_YEAR}."

    def drf(field_class: type) -> None:
        original = field_class.to_internal_value
        if getattr(original, "_bounded", False):
            return

        def to_internal_value(self: Any, value: Any) -> Any:
            result = original(self, value)
            if not _in_bounds(result):
                raise exceptions.ValidationError(message, code=Code.DATE_OUT_OF_RANGE)
            return result

        to_internal_value._bounded = True  # type: ignore[attr-defined]
        field_class.to_internal_value = to_internal_value

    def form(field_class: type) -> None:
        original = field_class.to_python
        if getattr(original, "_bounded", False):
            return

        def to_python(self: Any, value: Any) -> Any:
            result = original(self, value)
            if result is not None and not _in_bounds(result):
                raise ValidationError(message, code=Code.DATE_OUT_OF_RANGE)
            return result

        to_python._bounded = True  # type: ignore[attr-defined]
        field_class.to_python = to_python

    for klass in (drf_fields.DateTimeField, drf_fields.DateField):
        drf(klass)
    for klass in (forms.DateTimeField, forms.DateField):
        form(klass)


def date_in_bounds(value: dt.date | dt.datetime | None) -> bool:
    """For hand-parsed dates (pages that read a date with `parse_datetime`)."""
    return value is None or _in_bounds(value)


# --- Unknown paths -------------------------------------------------------------------------------


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: JSON error shape under /api/, Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body(Code.NOT_FOUND, "No such API endpoint or object."), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)  # type: ignore[arg-type]


def api_bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(Code.BAD_REQUEST, "The request could not be understood."), status=400)
    from django.views.defaults import bad_request

    return bad_request(request, exception)  # type: ignore[arg-type]


def api_permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(Code.FORBIDDEN, "You may not do this."), status=403)
    from django.views.defaults import permission_denied

    return permission_denied(request, exception)  # type: ignore[arg-type]


def api_server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(Code.SERVER_ERROR, "An unexpected error occurred."), status=500)
    from django.views.defaults import server_error

    return server_error(request)
