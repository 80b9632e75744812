"""Tenant API: the signed-in user's notifications (issue 14 item 8) — list with the unread count, mark read,
and the choice of what they are told of, and how."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.pagination import PaginatedListMixin, paginated_response
from mooc_platform.permissions import IsTenantMember

from .. import selectors, services
from ..models import Notification
from .common import ID

KIND_CHOICES = Notification.Kind.choices


class NotificationOutput(serializers.ModelSerializer):
    text = serializers.SerializerMethodField(help_text="One sentence in the reader's language.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "created_at", "read_at"]

    def get_text(self, obj: Notification) -> str:
        return selectors.notification_text(notification=obj)


class NotificationListApi(PaginatedListMixin, APIView):
    """The user's notifications, newest first (kinds muted in the app left out). The `X-Unread-Count` header
    gives how many are unread."""

    permission_classes = [IsTenantMember]

    @extend_schema(responses=NotificationOutput(many=True))
    def get(self, request: Request) -> Response:
        response = paginated_response(queryset=selectors.notifications_of(user=request.user),
                                      serializer_class=NotificationOutput, request=request, view=self)
        response["X-Unread-Count"] = str(selectors.notifications_unread_count(user=request.user))
        return response


class NotificationReadApi(APIView):
    """Mark notifications read: those of `ids`, or all of them without `ids`."""

    permission_classes = [IsTenantMember]

    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(child=serializers.IntegerField(**ID), required=False, max_length=1000)

    @extend_schema(request=InputSerializer, responses=inline_serializer(
        "NotificationsRead", {"marked": serializers.IntegerField(), "unread_count": serializers.IntegerField()}))
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        return Response({"marked": marked, "unread_count": selectors.notifications_unread_count(user=request.user)})


class NotificationSettingsSerializer(serializers.Serializer):
    in_app = serializers.ListField(child=serializers.ChoiceField(choices=KIND_CHOICES), max_length=20,
                                   help_text="The kinds shown in the app.")
    email = serializers.ListField(child=serializers.ChoiceField(choices=KIND_CHOICES), max_length=20,
                                  help_text="The kinds sent by e-mail.")
    daily_digest = serializers.BooleanField(help_text="One e-mail a day with everything instead of one each.")


class NotificationSettingsApi(APIView):
    """What the user is told of, in the app and by e-mail, and whether e-mails come as a daily digest."""

    permission_classes = [IsTenantMember]

    @extend_schema(responses=NotificationSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(_settings_data(request))

    @extend_schema(request=NotificationSettingsSerializer, responses=NotificationSettingsSerializer)
    def put(self, request: Request) -> Response:
        data = NotificationSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.notification_settings_update(user=request.user, **data.validated_data)
        return Response(_settings_data(request))


def _settings_data(request: Request) -> dict[str, Any]:
    choices = selectors.notification_settings_of(user=request.user)
    kinds = [kind for kind, _label in KIND_CHOICES]
    return {"in_app": [k for k in kinds if k in choices.in_app], "email": [k for k in kinds if k in choices.email],
            "daily_digest": choices.daily_digest}
