"""The technical 500 page (`DEBUG`'s traceback with settings and local variables) is for the developer at
this machine only (issue 11 item 8): a client that is not on loopback gets the plain 500 page even when
`make run` listens on every interface (HOST=0.0.0.0) with DEBUG on."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.template import loader
from django.views.debug import ExceptionReporter

from .http import client_ip


def _shown(request: Any) -> bool:
    """The details may go out: DEBUG off (they only reach the logs and the administrators' mail, never
    a page), no request, or a client on loopback."""
    if not settings.DEBUG or request is None:
        return True
    try:
        return ipaddress.ip_address(client_ip(request) or "").is_loopback
    except ValueError:
        return False


class LoopbackOnlyExceptionReporter(ExceptionReporter):
    """settings.DEFAULT_EXCEPTION_REPORTER: Django's reporter for loopback, the plain 500 page for others."""

    def get_traceback_html(self) -> str:
        if _shown(self.request):
            return super().get_traceback_html()
        return loader.render_to_string("500.html")

    def get_traceback_text(self) -> str:
        if _shown(self.request):
            return super().get_traceback_text()
        return "Server Error (500)"
