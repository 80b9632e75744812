"""API endpoints of the shell, on every host: token login and the current user."""

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.accounts.passwords import password_sign_in_refusal
from mooc_platform.accounts.throttling import (
    THROTTLED_MESSAGE,
    LoginRateThrottle,
    login_failure_record,
    login_is_throttled,
    login_succeeded,
)
from mooc_platform.accounts.tokens import token_issue, token_revoke, tokens_live, user_sign_out_everywhere
from mooc_platform.errors import ApplicationError, Code, NotFoundError
from mooc_platform.http import client_ip


class InvalidCredentialsError(ApplicationError):
    code = Code.INVALID_CREDENTIALS
    status_code = 400


class SsoRequiredError(ApplicationError):
    """The organisation signs in through its identity provider: no password sign-in (issue 17 item 1)."""

    code = Code.SSO_REQUIRED
    status_code = 403


class LoginThrottledError(ApplicationError):
    code = Code.LOGIN_THROTTLED
    status_code = 429


class TokenObtainApi(APIView):
    """`POST /api/v1/auth/token/` → a token valid only on this host (tokens live in its schema)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [LoginRateThrottle]

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()
        expires_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer, auth=[])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email, ip = data.validated_data["email"].lower(), client_ip(request) or ""
        if login_is_throttled(email=email, ip=ip):  # SPEC R3
            raise LoginThrottledError(THROTTLED_MESSAGE)
        user = authenticate(request, username=email, password=data.validated_data["password"])
        if user is None:
            login_failure_record(email=email, ip=ip)
            raise InvalidCredentialsError("Unknown e-mail or wrong password for this organisation.")
        refusal = password_sign_in_refusal(user=user)
        if refusal:  # the organisation's "SSO only" policy (issue 17 item 1)
            raise SsoRequiredError(refusal)
        login_succeeded(email=email, ip=ip)
        token, key = token_issue(user=user, user_agent=request.headers.get("User-Agent", ""))
        return Response(self.OutputSerializer({"token": key, "expires_at": token.expires_at}).data)


class MeApi(APIView):
    class MeOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        email = serializers.EmailField()
        full_name = serializers.CharField()
        role = serializers.CharField()
        language = serializers.CharField()

    @extend_schema(responses=MeOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.MeOutputSerializer(request.user).data)


class TokenOutput(serializers.Serializer):
    id = serializers.IntegerField()
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    user_agent = serializers.CharField()
    current = serializers.BooleanField()


def _token_row(token: Any, request: Request) -> dict[str, Any]:
    return {"id": token.pk, "prefix": token.prefix, "created_at": token.created_at, "expires_at": token.expires_at,
            "last_used_at": token.last_used_at, "user_agent": token.user_agent,
            "current": getattr(request.auth, "pk", None) == token.pk}


class MyTokenListApi(APIView):
    """`GET /api/v1/me/tokens/`: the caller's live API tokens on this host (issue 11 item 3)."""

    @extend_schema(responses=TokenOutput(many=True))
    def get(self, request: Request) -> Response:
        rows = [_token_row(token, request) for token in tokens_live(user=request.user)]
        return Response(TokenOutput(rows, many=True).data)


class MyTokenDetailApi(APIView):
    """`DELETE /api/v1/me/tokens/<id>/`: revoke one of the caller's tokens."""

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        if pk >= 2**63 or not token_revoke(user=request.user, token_id=pk):  # past bigint: no such row
            raise NotFoundError("No such token.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignOutEverywhereOutput(serializers.Serializer):
    tokens_revoked = serializers.IntegerField()


class MySignOutEverywhereApi(APIView):
    """`POST /api/v1/me/sign-out-everywhere/`: end every session and revoke every token of the caller,
    this one included."""

    @extend_schema(request=None, responses=SignOutEverywhereOutput)
    def post(self, request: Request) -> Response:
        return Response({"tokens_revoked": user_sign_out_everywhere(user=request.user)})
