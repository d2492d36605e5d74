"""``/api/users*``: account administration, for staff only, through the services the
Django admin uses (every change audited)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from accounts.api import RegisterSerializer
from accounts.models import User
from accounts.selectors import users_search
from flask_api.auth import FlaskUserSerializer, user_json
from flask_api.base import FlaskView, body, fetch, flask_error, message_serializer, page, page_serializer
from listings.validation import parse_bool

NOT_FOUND = "User not found"
USER_MESSAGE = message_serializer("FlaskUserMessage", user=FlaskUserSerializer())


def _user(staff: User, pk: int) -> User:
    # Staff see every account (the view's permission checked that they are staff).
    return get_object_or_404(User, pk=pk)


def _target(request: Request, user_id: str) -> User:
    return fetch(_user, request.user, user_id, NOT_FOUND)


def _flags(data) -> dict[str, bool]:
    flags = {}
    for name, field in (("is_admin", "is_staff"), ("is_active", "is_active")):
        if name in data:
            try:
                flags[field] = parse_bool(data[name])
            except ValueError as exc:
                raise ValidationError({name: ["Not a valid boolean."]}) from exc
    return flags


class StaffView(FlaskView):
    permission_classes = [IsAdminUser]

    def permission_denied(self, request, message=None, code=None):
        if request.user and request.user.is_authenticated:
            raise PermissionDenied("Admin privileges required")
        super().permission_denied(request, message, code)


class AdminUserInputSerializer(RegisterSerializer):
    is_admin = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class AdminUserUpdateSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    is_admin = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class ResetPasswordSerializer(serializers.Serializer):
    new_password = serializers.CharField(trim_whitespace=False)


class UserListView(StaffView):
    @extend_schema(
        operation_id="flask_users_list",
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("per_page", int, description="Default 20, at most 100."),
            OpenApiParameter("search", str),
            OpenApiParameter("is_active", str, enum=["true", "false"]),
            OpenApiParameter("is_admin", str, enum=["true", "false"]),
            OpenApiParameter("sort_by", str, enum=["email", "created_at", "last_login"]),
            OpenApiParameter("sort_order", str, enum=["asc", "desc"]),
        ],
        responses=page_serializer("FlaskUserPage", "users", FlaskUserSerializer(many=True)),
    )
    def get(self, request: Request) -> Response:
        return Response(
            page(request, users_search(request.query_params), user_json, key="users", default_per_page=20)
        )

    @extend_schema(request=AdminUserInputSerializer, responses={201: USER_MESSAGE})
    def post(self, request: Request) -> Response:
        data = body(request)
        flags = _flags(data)
        serializer = RegisterSerializer(
            data={k: v for k, v in data.items() if k not in ("is_admin", "is_active")}
        )
        if not serializer.is_valid():
            if any(getattr(error, "code", "") == "unique" for error in serializer.errors.get("email", [])):
                return flask_error("User with this email already exists", status.HTTP_409_CONFLICT)
            raise ValidationError(serializer.errors)
        try:
            user = services.user_create(
                **serializer.validated_data, is_staff=flags.get("is_staff", False), actor=request.user
            )
        except services.EmailTaken:
            return flask_error("User with this email already exists", status.HTTP_409_CONFLICT)
        if flags.get("is_active") is False:
            user = services.user_admin_update(user=user, data={"is_active": False}, actor=request.user)
        return Response({"message": "User created successfully", "user": user_json(user)}, status=201)


class UserDetailView(StaffView):
    @extend_schema(responses=FlaskUserSerializer)
    def get(self, request: Request, user_id: str) -> Response:
        return Response(user_json(_target(request, user_id)))

    @extend_schema(request=AdminUserUpdateSerializer, responses=USER_MESSAGE)
    def put(self, request: Request, user_id: str) -> Response:
        user = _target(request, user_id)
        serializer = AdminUserUpdateSerializer(data=body(request))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.update(_flags(data))
        data.pop("is_admin", None)
        if user == request.user and (data.get("is_staff") is False or data.get("is_active") is False):
            raise PermissionDenied("Cannot remove your own admin privileges or deactivate your own account")
        email = data.get("email")
        if email and User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            return flask_error("User with this email already exists", status.HTTP_409_CONFLICT)
        user = services.user_admin_update(user=user, data=data, actor=request.user)
        return Response({"message": "User updated successfully", "user": user_json(user)})

    @extend_schema(responses=message_serializer("FlaskUserDeleted"))
    def delete(self, request: Request, user_id: str) -> Response:
        user = _target(request, user_id)
        if user == request.user:
            raise PermissionDenied("Cannot delete your own account")
        services.user_delete(user=user, actor=request.user)
        return Response({"message": "User deleted successfully"})


class ToggleView(StaffView):
    field = ""
    words = ("", "")

    @extend_schema(request=None, responses=USER_MESSAGE)
    def post(self, request: Request, user_id: str) -> Response:
        user = _target(request, user_id)
        if user == request.user:
            raise PermissionDenied("Cannot modify your own account's privileges or status")
        value = not getattr(user, self.field)
        user = services.user_admin_update(user=user, data={self.field: value}, actor=request.user)
        return Response({"message": self.words[value], "user": user_json(user)})


class ToggleAdminView(ToggleView):
    field = "is_staff"
    words = ("Admin privileges revoked successfully", "Admin privileges granted successfully")


class ToggleActiveView(ToggleView):
    field = "is_active"
    words = ("User deactivated successfully", "User activated successfully")


class UnlockView(StaffView):
    @extend_schema(request=None, responses=USER_MESSAGE)
    def post(self, request: Request, user_id: str) -> Response:
        user = _target(request, user_id)
        services.account_unlock(email=user.email, actor=request.user)
        return Response({"message": "Account unlocked successfully", "user": user_json(user)})


class ResetPasswordView(StaffView):
    @extend_schema(request=ResetPasswordSerializer, responses=USER_MESSAGE)
    def post(self, request: Request, user_id: str) -> Response:
        user = _target(request, user_id)
        serializer = ResetPasswordSerializer(data=body(request))
        serializer.is_valid(raise_exception=True)
        password = serializer.validated_data["new_password"]
        try:
            validate_password(password, user=user)
        except DjangoValidationError as exc:
            raise ValidationError({"new_password": list(exc.messages)}) from exc
        user = services.user_password_set(user=user, password=password, actor=request.user)
        services.account_unlock(email=user.email, actor=request.user)
        return Response({"message": "Password reset successfully", "user": user_json(user)})
