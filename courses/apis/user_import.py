"""Tenant API: CSV import of users with a preview."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.errors import Code
from mooc_platform.errors import ApplicationError
from mooc_platform.permissions import IsTenantAdministrator

from .. import services


def import_report_data(report: services.ImportReport) -> dict[str, Any]:
    return {"applied": report.applied, "summary": report.summary(),
            "rows": [{"line": r.line, "email": r.email, "action": r.action, "role": r.role,
                      "full_name": r.full_name, "changes": r.changes, "errors": r.errors} for r in report.rows]}


class UserImportApi(APIView):
    """CSV import (columns email, full_name, role, language). `apply=false` (default) previews what
    would happen; `apply=true` does it. Send the file as `file` (multipart) or the text as `csv`."""

    permission_classes = [IsTenantAdministrator]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(required=False)
        csv = serializers.CharField(required=False, trim_whitespace=False)
        apply = serializers.BooleanField(default=False)

    @extend_schema(request=InputSerializer, responses=dict)
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("file") is not None:
            raw = data.validated_data["file"].read(2 * 1024 * 1024 + 1)
            if len(raw) > 2 * 1024 * 1024:
                raise ApplicationError("The CSV file is larger than 2 MB.", code=Code.CSV_INVALID)
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
        elif data.validated_data.get("csv"):
            text = data.validated_data["csv"]
        else:
            raise ApplicationError("Send a CSV file (`file`) or its text (`csv`).", code=Code.CSV_INVALID)
        if data.validated_data["apply"]:
            report = services.users_import_apply(csv_text=text, actor=request.user)
        else:
            report = services.users_import_preview(csv_text=text)
        return Response(import_report_data(report))
