"""Tenant API: certificates, their download and public verification."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.errors import NotFoundError
from mooc_platform.permissions import IsTenantMember

from .. import selectors, services
from ..models import Certificate


class CertificateOutput(serializers.ModelSerializer):
    verify_url = serializers.SerializerMethodField()
    credential_url = serializers.SerializerMethodField(help_text="The Open Badges 3.0 credential (JSON-LD).")
    linkedin_url = serializers.SerializerMethodField(help_text="LinkedIn's add-to-profile link.")

    class Meta:
        model = Certificate
        fields = ["id", "code", "course_title", "holder_name", "score", "issued_at", "verify_url", "credential_url",
                  "linkedin_url"]

    def get_verify_url(self, obj: Certificate) -> str:
        return services.certificate_verify_url(certificate=obj)

    def get_credential_url(self, obj: Certificate) -> str:
        return services.certificate_credential_url(certificate=obj)

    def get_linkedin_url(self, obj: Certificate) -> str:
        return services.certificate_linkedin_url(certificate=obj)


class CertificateListApi(ListAPIView):
    """My certificates; `?all=1` lists every certificate of the organisation for its staff."""

    permission_classes = [IsTenantMember]
    serializer_class = CertificateOutput

    def get_queryset(self) -> QuerySet[Certificate]:
        if self.request.query_params.get("all") and self.request.user.is_course_staff:
            return selectors.certificates_all()
        return selectors.certificates_of(user=self.request.user)


class CertificateDownloadApi(APIView):
    permission_classes = [IsTenantMember]

    @extend_schema(responses=dict)
    def get(self, request: Request, pk: int) -> Response:
        mine = selectors.certificates_of(user=request.user)
        qs = selectors.certificates_all() if request.user.is_course_staff else mine
        certificate = get_object_or_404(qs, pk=pk)
        return Response({"url": services.certificate_download_url(certificate=certificate)})


class CertificateVerifyApi(APIView):
    """Public: is this verification code a certificate of this organisation?"""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses=dict, auth=[])
    def get(self, request: Request, code: str) -> Response:
        certificate = selectors.certificate_by_code(code=code)
        if certificate is None:
            raise NotFoundError("No certificate has this verification code.")
        return Response({"valid": True, "code": certificate.code, "course_title": certificate.course_title,
                         "holder_name": selectors.certificate_public_holder(certificate=certificate),
                         "holder_removed": certificate.holder_removed, "score": str(certificate.score),
                         "issued_at": certificate.issued_at, "organisation": certificate.organisation_name})
