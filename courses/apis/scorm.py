"""Tenant API: the SCORM package of a SCORM lesson (issue 14 item 6)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.errors import NotFoundError
from mooc_platform.permissions import IsCourseStaff

from .. import services
from ..models import Lesson, ScormPackage
from .common import ID


class ScormPackageOutput(serializers.ModelSerializer):
    error_message = serializers.SerializerMethodField(help_text="Why the package was refused, in the reader's "
                                                                "language (empty unless `status` is failed).")

    class Meta:
        model = ScormPackage
        fields = ["id", "status", "progress", "filename", "version", "title", "launch_path", "file_count", "size",
                  "error", "error_message", "created_at", "updated_at"]

    def get_error_message(self, package: ScormPackage) -> str:
        return services.scorm_error_message(package=package)


class ScormPackageApi(APIView):
    """The SCORM lesson's newest package (GET), or import one (POST): upload its zip first with
    `POST /api/v1/uploads/` (purpose `scorm`, type `application/zip`) and its confirmation, then post the upload's
    id here. A Celery task checks the zip (files, size once unpacked, paths, imsmanifest.xml), unpacks it under the
    organisation's storage and makes it the lesson's package; follow `status` (pending, processing with `progress`
    in percent, ready, or failed with `error_message`) with GET. The unpacked files count in the storage quota."""

    permission_classes = [IsCourseStaff]

    class InputSerializer(serializers.Serializer):
        upload_id = serializers.IntegerField(**ID, help_text="The confirmed upload of the package's zip.")

    def _lesson(self, pk: int) -> Lesson:
        return get_object_or_404(Lesson.objects.select_related("module__course"), pk=pk)

    @extend_schema(responses=ScormPackageOutput)
    def get(self, request: Request, pk: int) -> Response:
        package = services.scorm_package_latest(lesson=self._lesson(pk))
        if package is None:
            raise NotFoundError("This lesson has no SCORM package yet.")
        return Response(ScormPackageOutput(package).data)

    @extend_schema(request=InputSerializer, responses={202: ScormPackageOutput})
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        package = services.scorm_package_import(lesson=self._lesson(pk), actor=request.user, **data.validated_data)
        return Response(ScormPackageOutput(package).data, status=status.HTTP_202_ACCEPTED)
