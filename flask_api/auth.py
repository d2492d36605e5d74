"""``/api/auth/*`` as the Flask system answered: ``access_token``/``refresh_token``,
``{message, user}``, ``{error}``. Same serializers, password rules, lockout and
services as ``accounts.api``."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from accounts.api import INVALID_CREDENTIALS, LoginSerializer, PasswordChangeSerializer, RegisterSerializer
from accounts.identity import account_rate_limited
from accounts.lockout import lockout_response
from accounts.models import User
from flask_api.base import FlaskView, body, flask_error, message_serializer


def user_json(user: User) -> dict:
    """Flask's UserSchema. We verify no e-mail addresses and keep no profile-change time:
    ``email_verified`` is false and ``updated_at`` is the date joined."""
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": user.is_active,
        "is_admin": user.is_staff,
        "email_verified": False,
        "last_login": user.last_login,
        "created_at": user.date_joined,
        "updated_at": user.date_joined,
    }


class FlaskUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField()
    is_admin = serializers.BooleanField()
    email_verified = serializers.BooleanField()
    last_login = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


TOKENS_WITH_USER = message_serializer(
    "FlaskTokens",
    user=FlaskUserSerializer(),
    access_token=serializers.CharField(),
    refresh_token=serializers.CharField(),
)
MESSAGE = message_serializer("FlaskMessage")


def _tokens(user: User) -> dict[str, str]:
    pair = services.token_pair_create(user=user)
    return {"access_token": pair["access"], "refresh_token": pair["refresh"]}


class TokenEndpoint(FlaskView):
    authentication_classes = []
    permission_classes = [AllowAny]


class RegisterView(TokenEndpoint):
    @extend_schema(request=RegisterSerializer, responses={201: TOKENS_WITH_USER, 409: MESSAGE})
    @account_rate_limited
    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=body(request))
        if not serializer.is_valid():
            if any(getattr(error, "code", "") == "unique" for error in serializer.errors.get("email", [])):
                return flask_error("Email already registered", status.HTTP_409_CONFLICT)
            raise ValidationError(serializer.errors)
        try:
            user = services.user_create(**serializer.validated_data)
        except services.EmailTaken:  # a concurrent registration of the address won
            return flask_error("Email already registered", status.HTTP_409_CONFLICT)
        return Response(
            {"message": "User registered successfully", "user": user_json(user), **_tokens(user)},
            status=status.HTTP_201_CREATED,
        )


class LoginView(TokenEndpoint):
    @extend_schema(request=LoginSerializer, responses={200: TOKENS_WITH_USER})
    @account_rate_limited
    def post(self, request: Request) -> Response:
        serializer = LoginSerializer(data=body(request))
        serializer.is_valid(raise_exception=True)
        # Through authenticate(), so django-axes counts and locks as on every other door.
        user = authenticate(request=request, **serializer.validated_data)
        if getattr(request, "axes_locked_out", False):
            # Flask answered a locked account 403; the time it ends is in Retry-After.
            locked = lockout_response(request, credentials=serializer.validated_data)
            response = flask_error(
                "Account is locked due to multiple failed login attempts. Try again later.",
                status.HTTP_403_FORBIDDEN,
            )
            response["Retry-After"] = locked["Retry-After"]
            return response
        if user is None:
            raise AuthenticationFailed(INVALID_CREDENTIALS)
        services.login_record(user=user)
        return Response({"message": "Login successful", "user": user_json(user), **_tokens(user)})


class FlaskRefreshSerializer(serializers.Serializer):
    refresh_token = serializers.CharField()


class RefreshView(TokenEndpoint):
    @extend_schema(
        request=FlaskRefreshSerializer,
        responses={
            200: inline_serializer("FlaskAccessToken", fields={"access_token": serializers.CharField()})
        },
    )
    def post(self, request: Request) -> Response:
        token = body(request).get("refresh_token")
        if not token or not isinstance(token, str):
            raise AuthenticationFailed("Refresh token is missing")
        try:
            access = services.access_token_refresh(refresh=token)
        except services.InvalidRefreshToken as exc:
            raise AuthenticationFailed("Invalid or expired refresh token") from exc
        return Response({"access_token": access})


class LogoutView(FlaskView):
    @extend_schema(request=None, responses={200: MESSAGE})
    def post(self, request: Request) -> Response:
        """Revoke every refresh token of the user (Flask's logout took no body)."""
        services.user_logout_everywhere(user=request.user)
        return Response({"message": "Logout successful"})


class MeView(FlaskView):
    @extend_schema(responses=FlaskUserSerializer)
    def get(self, request: Request) -> Response:
        return Response(user_json(request.user))


class ChangePasswordSerializer(serializers.Serializer):
    current_password = serializers.CharField(write_only=True, trim_whitespace=False)
    new_password = serializers.CharField(write_only=True, trim_whitespace=False)


class ChangePasswordView(FlaskView):
    @extend_schema(
        request=ChangePasswordSerializer,
        responses={
            200: message_serializer(
                "FlaskPasswordChanged",
                access_token=serializers.CharField(),
                refresh_token=serializers.CharField(),
            )
        },
    )
    def post(self, request: Request) -> Response:
        """The native rules; other refresh tokens are revoked, so fresh ones come back."""
        data = body(request)
        serializer = PasswordChangeSerializer(
            data={"old_password": data.get("current_password"), "new_password": data.get("new_password")},
            context={"request": request},
        )
        if not serializer.is_valid():
            errors = dict(serializer.errors)
            if "old_password" in errors and data.get("current_password"):
                return flask_error("Current password is incorrect", status.HTTP_401_UNAUTHORIZED)
            if "old_password" in errors:
                errors["current_password"] = errors.pop("old_password")
            raise ValidationError(errors)
        user = services.user_password_change(
            user=request.user, new_password=serializer.validated_data["new_password"]
        )
        return Response({"message": "Password changed successfully", **_tokens(user)})


class ProfileSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class ProfileView(FlaskView):
    @extend_schema(
        request=ProfileSerializer,
        responses={200: message_serializer("FlaskProfile", user=FlaskUserSerializer())},
    )
    def put(self, request: Request) -> Response:
        serializer = ProfileSerializer(data=body(request))
        serializer.is_valid(raise_exception=True)
        user = services.user_update(
            user=request.user,
            first_name=serializer.validated_data.get("first_name", request.user.first_name),
            last_name=serializer.validated_data.get("last_name", request.user.last_name),
        )
        return Response({"message": "Profile updated successfully", "user": user_json(user)})
