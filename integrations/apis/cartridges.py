"""A course's IMS Common Cartridge exports in the API (issue 17 item 5), for course staff (or an API key with the
`courses` scope): request one, follow its progress, download it when ready."""

from __future__ import annotations

from django.http import HttpResponseRedirect
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.errors import NotFoundError
from mooc_platform.pagination import PaginatedListMixin, paginated_response
from mooc_platform.permissions import IsCourseStaff

from .. import selectors
from ..models import CartridgeExport
from ..services import cartridges as services

COURSES_TAG = ["courses"]


class CartridgeExportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CartridgeExport.Status.choices)
    progress = serializers.IntegerField(help_text="Percent of the lessons written (100 when ready).")
    size = serializers.IntegerField(allow_null=True, help_text="Bytes, once ready.")
    error = serializers.CharField(help_text="Why the build failed (empty otherwise).")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField(
        help_text="This API's download path (a redirect to a signed URL valid five minutes); null until ready.")

    def get_download_url(self, export: CartridgeExport) -> str | None:
        if export.status != CartridgeExport.Status.READY:
            return None
        return f"/api/v1/courses/{export.course_id}/cartridge-exports/{export.pk}/download/"


def _course(course_id: int):  # type: ignore[no-untyped-def]
    course = selectors.course_for_export(course_id=course_id)
    if course is None:
        raise NotFoundError("No such course.")
    return course


def _export(course_id: int, export_id: int) -> CartridgeExport:
    export = selectors.cartridge_export_get(course=_course(course_id), export_id=export_id)
    if export is None:
        raise NotFoundError("No such export.")
    return export


class CartridgeExportListApi(PaginatedListMixin, APIView):
    """`GET` the course's IMS Common Cartridge 1.3 exports, newest first; `POST` asks for one of the course as it
    is now (built in the background: follow `status` and `progress`; while one is queued or building, the same
    one is returned)."""

    permission_classes = [IsCourseStaff]

    @extend_schema(operation_id="courses_cartridge_exports_list", tags=COURSES_TAG,
                   responses=CartridgeExportOutputSerializer(many=True))
    def get(self, request: Request, course_id: int) -> Response:
        return paginated_response(queryset=selectors.cartridge_exports(course=_course(course_id)),
                                  serializer_class=CartridgeExportOutputSerializer, request=request, view=self)

    @extend_schema(operation_id="courses_cartridge_exports_create", tags=COURSES_TAG, request=None,
                   responses={202: CartridgeExportOutputSerializer},
                   examples=[OpenApiExample("Queued", response_only=True, status_codes=["202"], value={
                       "id": 7, "course_id": 3, "status": "queued", "progress": 0, "size": None, "error": "",
                       "created_at": "2026-12-02T10:00:00Z", "finished_at": None, "download_url": None})])
    def post(self, request: Request, course_id: int) -> Response:
        export = services.cartridge_export_request(course=_course(course_id), actor=request.user)
        return Response(CartridgeExportOutputSerializer(export).data, status=202)


class CartridgeExportDetailApi(APIView):
    """`GET` one export: its status and progress."""

    permission_classes = [IsCourseStaff]

    @extend_schema(operation_id="courses_cartridge_exports_retrieve", tags=COURSES_TAG,
                   responses=CartridgeExportOutputSerializer,
                   examples=[OpenApiExample("Ready", response_only=True, value={
                       "id": 7, "course_id": 3, "status": "ready", "progress": 100, "size": 48213, "error": "",
                       "created_at": "2026-12-02T10:00:00Z", "finished_at": "2026-12-02T10:00:04Z",
                       "download_url": "/api/v1/courses/3/cartridge-exports/7/download/"})])
    def get(self, request: Request, course_id: int, export_id: int) -> Response:
        return Response(CartridgeExportOutputSerializer(_export(course_id, export_id)).data)


class CartridgeExportDownloadApi(APIView):
    """`GET` redirects to the cartridge (`.imscc`, a zip) on object storage; 409 `conflict` until it is ready."""

    permission_classes = [IsCourseStaff]

    @extend_schema(operation_id="courses_cartridge_exports_download", tags=COURSES_TAG,
                   responses={302: OpenApiResponse(description="Redirect to a signed URL valid five minutes.")})
    def get(self, request: Request, course_id: int, export_id: int) -> HttpResponseRedirect:
        return HttpResponseRedirect(services.cartridge_download_url(export=_export(course_id, export_id)))
