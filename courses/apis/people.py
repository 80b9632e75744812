"""Tenant API: the organisation's users."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.accounts.models import User
from mooc_platform.accounts.services import user_invitation_resend
from mooc_platform.accounts.tokens import user_sign_out_everywhere
from mooc_platform.apis import SignOutEverywhereOutput
from mooc_platform.i18n import LANGUAGE_CODES
from mooc_platform.permissions import IsTenantAdministrator

from .. import selectors, services


class UserOutput(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "role", "language", "is_active", "status", "date_joined"]

    def get_status(self, user: User) -> str:
        """"active", "invited" (has not accepted the invitation yet: no active seat) or "inactive"."""
        return selectors.user_status(user=user)


class UserListCreateApi(ListAPIView):
    """Administrators list the organisation's users and invite new ones by e-mail (SPEC R2)."""

    permission_classes = [IsTenantAdministrator]
    serializer_class = UserOutput

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        full_name = serializers.CharField(required=False, allow_blank=True, default="")
        role = serializers.CharField(default=User.Role.LEARNER)
        language = serializers.ChoiceField(choices=LANGUAGE_CODES, required=False)

    def get_queryset(self) -> QuerySet[User]:
        return selectors.users_list()

    @extend_schema(request=InputSerializer, responses={201: UserOutput})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user, _link = services.user_invite(invited_by=request.user, **data.validated_data)
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)


class UserDeactivateApi(APIView):
    permission_classes = [IsTenantAdministrator]

    @extend_schema(request=None, responses=UserOutput)
    def post(self, request: Request, pk: int) -> Response:
        user = get_object_or_404(selectors.users_list(), pk=pk)
        return Response(UserOutput(services.user_deactivate(user=user, actor=request.user)).data)


class UserEraseApi(APIView):
    """Right to erasure (SPEC R29): the user is deleted with the same anonymisation as their own account deletion;
    the organisation's earlier exports (which contain them) are deleted."""

    permission_classes = [IsTenantAdministrator]

    class InputSerializer(serializers.Serializer):
        email = serializers.CharField(max_length=254, help_text="The user's e-mail address, typed again to confirm.")

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        user = get_object_or_404(selectors.users_list(), pk=pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_erase(user=user, actor=request.user, confirm_email=data.validated_data["email"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserInvitationResendApi(APIView):
    """Send a new one-time link to a user who has not set a password yet."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(request=None, responses={202: None})
    def post(self, request: Request, pk: int) -> Response:
        user = get_object_or_404(selectors.users_list(), pk=pk)
        user_invitation_resend(user=user, actor=request.user)
        return Response(status=status.HTTP_202_ACCEPTED)


class UserRoleApi(APIView):
    """Change a user's role (audited); the last active administrator keeps theirs (403
    `last_administrator`)."""

    permission_classes = [IsTenantAdministrator]

    class InputSerializer(serializers.Serializer):
        role = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=UserOutput)
    def post(self, request: Request, pk: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = get_object_or_404(selectors.users_list(), pk=pk)
        return Response(UserOutput(services.user_role_change(user=user, role=data.validated_data["role"],
                                                             actor=request.user)).data)


class UserReactivateApi(APIView):
    permission_classes = [IsTenantAdministrator]

    @extend_schema(request=None, responses=UserOutput)
    def post(self, request: Request, pk: int) -> Response:
        user = get_object_or_404(selectors.users_list(), pk=pk)
        return Response(UserOutput(services.user_reactivate(user=user, actor=request.user)).data)


class UserSignOutEverywhereApi(APIView):
    """An administrator ends every session and revokes every API token of a user (issue 11 item 3)."""

    permission_classes = [IsTenantAdministrator]

    @extend_schema(request=None, responses=SignOutEverywhereOutput)
    def post(self, request: Request, pk: int) -> Response:
        user = get_object_or_404(selectors.users_list(), pk=pk)
        return Response({"tokens_revoked": user_sign_out_everywhere(user=user)})
