"""Pages: my certificates, their download and public verification."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render

from .. import selectors, services


@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    certificates = list(selectors.certificates_of(user=request.user))
    for certificate in certificates:
        certificate.linkedin_url = services.certificate_linkedin_url(certificate=certificate)  # type: ignore[attr-defined]
    return render(request, "courses/my_certificates.html", {"certificates": certificates})


@login_required
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = get_object_or_404(selectors.certificates_of(user=request.user), pk=pk)
    return HttpResponseRedirect(services.certificate_download_url(certificate=certificate))


def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public, no login (SPEC R21): the data of the Open Badge credential, and a link to it. No maintenance
    banner: the visitor is a third party (an employer), not a user of the organisation."""
    certificate = selectors.certificate_by_code(code=code)
    context = {"certificate": certificate, "code": code[:64]}
    if certificate is not None:
        context.update(holder=selectors.certificate_public_holder(certificate=certificate),
                       badge=services.certificate_open_badge(certificate=certificate))
    return render(request, "courses/certificate_verify.html", context, status=200 if certificate else 404)


def certificate_credential(request: HttpRequest, code: str) -> HttpResponse:
    """Public: the certificate as an Open Badges 3.0 credential (JSON-LD), downloaded as a file."""
    certificate = selectors.certificate_by_code(code=code)
    if certificate is None:
        raise Http404
    badge = services.certificate_open_badge(certificate=certificate)
    response = HttpResponse(json.dumps(badge, ensure_ascii=False, indent=2),
                            content_type="application/ld+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.jsonld"'
    return response
