"""Tenant API: the organisation's branding."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.i18n import LANGUAGE_CODES
from mooc_platform.permissions import IsTenantMember

from .. import selectors, services
from .common import ID


class BrandingApi(APIView):
    permission_classes = [IsTenantMember]

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(required=False, allow_blank=True, max_length=200)
        primary_color = serializers.CharField(required=False, max_length=7)
        accent_color = serializers.CharField(required=False, max_length=7)
        default_language = serializers.ChoiceField(choices=LANGUAGE_CODES, required=False)
        logo_upload_id = serializers.IntegerField(required=False, allow_null=True, **ID)
        logo_remove = serializers.BooleanField(required=False, default=False)
        email_sender_name = serializers.CharField(required=False, allow_blank=True, max_length=100)

    def _data(self) -> dict[str, Any]:
        branding = selectors.branding_current()
        return {"name": services.branding_display_name(),
                "primary_color": branding.primary_color if branding else "#1d4ed8",
                "accent_color": branding.accent_color if branding else "#f59e0b",
                "default_language": services.tenant_default_language(),
                "email_sender_name": branding.email_sender_name if branding else "",
                "logo_url": services.media_download_url(upload=branding.logo) if branding and branding.logo else None}

    @extend_schema(responses=dict)
    def get(self, request: Request) -> Response:
        return Response(self._data())

    @extend_schema(request=InputSerializer, responses=dict)
    def put(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.branding_update(actor=request.user, **data.validated_data)
        return Response(self._data())
