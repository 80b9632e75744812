"""API endpoints of the shell, on every host: token login and the current user."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mooc_platform.accounts.throttling import (
    THROTTLED_MESSAGE,
    login_failure_record,
    login_failures_clear,
    login_is_throttled,
)
from mooc_platform.errors import ApplicationError, Code
from mooc_platform.http import client_ip


class InvalidCredentialsError(ApplicationError):
    code = Code.INVALID_CREDENTIALS
    status_code = 400


class LoginThrottledError(ApplicationError):
    code = Code.LOGIN_THROTTLED
    status_code = 429


class TokenObtainApi(APIView):
    """`POST /api/v1/auth/token/` → a token valid only on this host (tokens live in its schema)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "login"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    def get_throttles(self):  # type: ignore[no-untyped-def]
        from rest_framework.throttling import ScopedRateThrottle

        return [ScopedRateThrottle()]

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
        login_failures_clear(email=email, ip=ip)
        token, _ = Token.objects.get_or_create(user=user)
        return Response(self.OutputSerializer({"token": token.key}).data)


class MeApi(APIView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        email = serializers.EmailField()
        full_name = serializers.CharField()
        role = serializers.CharField()
        language = serializers.CharField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(request.user).data)
