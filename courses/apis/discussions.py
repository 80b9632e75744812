"""Tenant API: course discussions and moderation."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.permissions import IsCourseStaff, IsTenantMember

from .. import selectors, services
from ..models import Lesson, Post
from .common import ID, _course_for


class PostOutput(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    hidden = serializers.SerializerMethodField()
    open_reports = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Post
        fields = ["id", "parent", "lesson", "author", "body", "body_html", "created_at", "hidden", "open_reports"]

    def get_author(self, obj: Post) -> str:
        # `author_label` is set by selectors.posts_of_course for the viewer (nobody reads an e-mail there);
        # the other outputs (a new post for its author, the moderation queue) are read by the author or staff.
        if not obj.author:
            return "Deleted user"
        return getattr(obj, "author_label", None) or obj.author.public_name

    def get_hidden(self, obj: Post) -> bool:
        return obj.hidden_at is not None


class ThreadOutput(PostOutput):
    replies = PostOutput(many=True)

    class Meta(PostOutput.Meta):
        fields = [*PostOutput.Meta.fields, "replies"]


class PostListCreateApi(APIView):
    """The course's forum: threads with replies. Posts appear at once (a posteriori moderation)."""

    permission_classes = [IsTenantMember]

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=10_000)
        parent = serializers.IntegerField(required=False, allow_null=True, **ID)
        lesson = serializers.IntegerField(required=False, allow_null=True, help_text="A lesson of the course "
                                          "the new thread is about (replies take their thread's).", **ID)

    @extend_schema(responses=ThreadOutput(many=True))
    def get(self, request: Request, pk: int) -> Response:
        course = _course_for(request, pk)
        services.member_check(course=course, user=request.user)
        return Response(ThreadOutput(selectors.posts_of_course(course=course, viewer=request.user), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: PostOutput})
    def post(self, request: Request, pk: int) -> Response:
        course = _course_for(request, pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if data.validated_data.get("parent"):
            parent = get_object_or_404(Post, pk=data.validated_data["parent"], course=course)
        lesson = None
        if data.validated_data.get("lesson"):
            lesson = get_object_or_404(Lesson.objects.select_related("module"), pk=data.validated_data["lesson"],
                                       module__course=course)
        post = services.post_create(course=course, author=request.user, body=data.validated_data["body"],
                                    parent=parent, lesson=lesson)
        return Response(PostOutput(post).data, status=status.HTTP_201_CREATED)


class PostReportApi(APIView):
    permission_classes = [IsTenantMember]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=500)

    @extend_schema(request=InputSerializer, responses={201: dict})
    def post(self, request: Request, pk: int) -> Response:
        post = get_object_or_404(Post.objects.select_related("course").filter(hidden_at__isnull=True), pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.post_report(post=post, reporter=request.user, reason=data.validated_data["reason"])
        return Response({"id": report.pk}, status=status.HTTP_201_CREATED)


class ReportListApi(ListAPIView):
    """The moderation queue (instructors and administrators)."""

    permission_classes = [IsCourseStaff]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        reason = serializers.CharField()
        created_at = serializers.DateTimeField()
        reporter = serializers.SerializerMethodField()
        post = PostOutput()
        course = serializers.CharField(source="post.course.title")

        def get_reporter(self, obj: Any) -> str | None:
            return obj.reporter.public_name if obj.reporter else None

    serializer_class = OutputSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.reports_open()


class PostHideApi(APIView):
    permission_classes = [IsCourseStaff]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(request=InputSerializer, responses=PostOutput)
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = get_object_or_404(Post.objects.select_related("course", "author"), pk=pk)
        return Response(PostOutput(services.post_hide(post=post, moderator=request.user,
                                                      reason=data.validated_data["reason"])).data)


class PostRestoreApi(APIView):
    permission_classes = [IsCourseStaff]

    @extend_schema(request=None, responses=PostOutput)
    def post(self, request: Request, pk: int) -> Response:
        post = get_object_or_404(Post.objects.select_related("course", "author"), pk=pk)
        return Response(PostOutput(services.post_restore(post=post, moderator=request.user)).data)
