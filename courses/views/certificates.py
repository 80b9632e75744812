"""Pages: my certificates, their download and public verification."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render

from .. import selectors, services


@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    return render(request, "courses/my_certificates.html",
                  {"certificates": selectors.certificates_of(user=request.user)})


@login_required
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = get_object_or_404(selectors.certificates_of(user=request.user), pk=pk)
    return HttpResponseRedirect(services.certificate_download_url(certificate=certificate))


def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public, no login (SPEC R21)."""
    certificate = selectors.certificate_by_code(code=code)
    holder = selectors.certificate_public_holder(certificate=certificate) if certificate else None
    return render(request, "courses/certificate_verify.html",
                  {"certificate": certificate, "holder": holder, "code": code}, status=200 if certificate else 404)
