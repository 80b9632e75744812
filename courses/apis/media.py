"""Tenant API: presigned uploads and lesson media."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.errors import ForbiddenError, NotFoundError
from mooc_platform.permissions import IsCourseStaff, IsTenantMember

from .. import services
from ..models import Lesson, MediaUpload
from .common import ID, _course_for, _lesson_readable_for


class LessonMediaApi(APIView):
    """A short-lived presigned GET URL for the lesson's video or file (enrolled learners and staff)."""

    permission_classes = [IsTenantMember]

    @extend_schema(responses=dict)
    def get(self, request: Request, pk: int) -> Response:
        lesson = _lesson_readable_for(request, pk)
        if lesson.media is None:
            raise NotFoundError("This lesson has no media.")
        url = services.media_download_url(upload=lesson.media, attachment=lesson.kind == Lesson.Kind.FILE)
        return Response({"url": url, "content_type": lesson.media.content_type, "filename": lesson.media.filename})


class UploadCreateApi(APIView):
    """Sign a browser PUT to S3 (type, size and the storage quota are checked first, SPEC R20).
    PUT the bytes to `url` with the `headers` given, then POST `confirm/`. Large files (above
    COURSES_MULTIPART_THRESHOLD) get `part_urls` instead: PUT consecutive slices of `part_size` bytes
    to each, then confirm."""

    permission_classes = [IsCourseStaff]

    class InputSerializer(serializers.Serializer):
        purpose = serializers.ChoiceField(choices=MediaUpload.Purpose.choices)
        filename = serializers.CharField(max_length=200)
        content_type = serializers.CharField(max_length=100)
        size = serializers.IntegerField(min_value=1, max_value=2**62)
        course = serializers.IntegerField(required=False, allow_null=True, default=None,
                                          help_text="Purpose `image` only: the course whose texts show the image "
                                          "(then at `/courses/<slug>/images/<id>/`).", **ID)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        key = serializers.CharField()
        url = serializers.CharField()
        headers = serializers.DictField(child=serializers.CharField())
        storage_warning = serializers.CharField(allow_null=True)
        part_size = serializers.IntegerField(allow_null=True)
        part_urls = serializers.ListField(child=serializers.CharField())

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["purpose"] == MediaUpload.Purpose.LOGO and not request.user.is_tenant_admin:
            raise ForbiddenError("Only administrators change the logo.")
        fields = dict(data.validated_data)
        course_id = fields.pop("course")
        course = _course_for(request, course_id) if course_id is not None else None
        signed = services.media_upload_sign(actor=request.user, course=course, **fields)
        return Response({"id": signed.upload.pk, "key": signed.upload.key, "url": signed.url,
                         "headers": signed.headers, "storage_warning": signed.storage_warning,
                         "part_size": signed.part_size, "part_urls": signed.part_urls},
                        status=status.HTTP_201_CREATED)


class UploadConfirmApi(APIView):
    permission_classes = [IsCourseStaff]

    @extend_schema(request=None, responses=dict)
    def post(self, request: Request, pk: int) -> Response:
        upload = get_object_or_404(MediaUpload, pk=pk)
        upload, warning = services.media_upload_confirm(upload=upload)
        return Response({"id": upload.pk, "size": upload.size, "storage_warning": warning})
