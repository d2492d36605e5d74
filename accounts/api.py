"""``/api/auth/``: register, log in, refresh, log out, me and password, with JWTs.

Access tokens live ``SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]`` (15 minutes), refresh tokens
``REFRESH_TOKEN_LIFETIME`` (7 days); refreshing rotates the refresh token and blacklists
the one used. Every other API endpoint accepts the Bearer token or the browser session.
"""

from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken

from accounts import services
from accounts.forms import EMAIL_TAKEN
from accounts.identity import account_rate_limited, canonical_email
from accounts.lockout import lockout_response
from accounts.models import User
from accounts.selectors import email_taken

# One message for an unknown e-mail and a wrong password: no account enumeration.
INVALID_CREDENTIALS = "The e-mail address or password is incorrect."


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "currency", "date_joined"]
        read_only_fields = ["id", "email", "date_joined"]


class CanonicalEmailField(serializers.EmailField):
    """The API twin of the sign-up form's field: validates the canonical form."""

    def to_internal_value(self, data):
        return canonical_email(super().to_internal_value(data))


class RegisterSerializer(serializers.Serializer):
    email = CanonicalEmailField(max_length=254)
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")

    def validate_email(self, value: str) -> str:
        if email_taken(value):
            raise serializers.ValidationError(EMAIL_TAKEN, code="unique")
        return value

    def validate(self, attrs: dict) -> dict:
        candidate = User(email=attrs["email"], first_name=attrs["first_name"], last_name=attrs["last_name"])
        try:
            validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class LoginSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(write_only=True, trim_whitespace=False, style={"input_type": "password"})


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(write_only=True, trim_whitespace=False)
    new_password = serializers.CharField(write_only=True, trim_whitespace=False)

    def validate_old_password(self, value: str) -> str:
        if not self.context["request"].user.check_password(value):
            raise serializers.ValidationError("Your old password was entered incorrectly.")
        return value

    def validate(self, attrs: dict) -> dict:
        try:
            validate_password(attrs["new_password"], user=self.context["request"].user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"new_password": list(exc.messages)}) from exc
        return attrs


TokenPairWithUser = inline_serializer(
    "TokenPairWithUser",
    fields={"access": serializers.CharField(), "refresh": serializers.CharField(), "user": UserSerializer()},
)


class TokenEndpoint(APIView):
    """Register, log-in and log-out take credentials in the body, not a session: a
    logged-in browser needs no CSRF token here and a stale Bearer header is ignored."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request) -> str:
        # Keeps a refused log-in a 401 (DRF answers 403 when no scheme is named).
        return 'Bearer realm="api"'


class RegisterView(TokenEndpoint):
    @extend_schema(request=RegisterSerializer, responses={201: TokenPairWithUser})
    @account_rate_limited
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = services.user_create(**serializer.validated_data)
        except services.EmailTaken:
            # A registration of the same address won the race after our check.
            return Response(
                {"detail": EMAIL_TAKEN, "errors": [{"field": "email", "message": EMAIL_TAKEN}]},
                status=status.HTTP_409_CONFLICT,
            )
        tokens = services.token_pair_create(user=user)
        return Response({"user": UserSerializer(user).data, **tokens}, status=status.HTTP_201_CREATED)


class LoginView(TokenEndpoint):
    @extend_schema(request=LoginSerializer, responses={200: TokenPairWithUser})
    @account_rate_limited
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # Through django.contrib.auth.authenticate, so django-axes counts and locks here
        # exactly as on the HTML and admin log-ins.
        user = authenticate(request=request, **serializer.validated_data)
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request, credentials=serializer.validated_data)
        if user is None:
            raise AuthenticationFailed(INVALID_CREDENTIALS)
        services.login_record(user=user)
        tokens = services.token_pair_create(user=user)
        return Response({**tokens, "user": UserSerializer(user).data})


TokenPair = inline_serializer(
    "TokenPair", fields={"access": serializers.CharField(), "refresh": serializers.CharField()}
)


def _refresh_token(request) -> str:
    serializer = RefreshSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["refresh"]


class RefreshView(TokenEndpoint):
    """Rotates the refresh token; the used one is blacklisted, once, even under races."""

    @extend_schema(request=RefreshSerializer, responses={200: TokenPair})
    def post(self, request):
        try:
            tokens = services.refresh_token_rotate(refresh=_refresh_token(request))
        except services.InvalidRefreshToken as exc:
            raise InvalidToken(str(exc)) from exc
        return Response(tokens)


class LogoutView(TokenEndpoint):
    # The refresh token is the credential: a client whose access token has expired
    # can still log out.

    @extend_schema(request=RefreshSerializer, responses={205: None})
    def post(self, request):
        refresh = _refresh_token(request)
        try:
            services.refresh_token_revoke(refresh=refresh)
        except services.InvalidRefreshToken as exc:
            raise serializers.ValidationError({"refresh": [str(exc)]}) from exc
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeView(APIView):
    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=UserSerializer, responses=UserSerializer)
    def patch(self, request):
        serializer = UserSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(
            user=request.user,
            first_name=serializer.validated_data.get("first_name", request.user.first_name),
            last_name=serializer.validated_data.get("last_name", request.user.last_name),
            currency=serializer.validated_data.get("currency"),
        )
        return Response(UserSerializer(user).data)


class PasswordView(APIView):
    @extend_schema(
        request=PasswordChangeSerializer,
        responses={
            200: inline_serializer(
                "PasswordChanged",
                fields={
                    "detail": serializers.CharField(),
                    "access": serializers.CharField(),
                    "refresh": serializers.CharField(),
                },
            )
        },
    )
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = services.user_password_change(
            user=request.user, new_password=serializer.validated_data["new_password"]
        )
        if isinstance(request.successful_authenticator, SessionAuthentication):
            # The browser session that changed the password stays logged in.
            update_session_auth_hash(request, user)
        tokens = services.token_pair_create(user=user)
        return Response({"detail": "Password changed. Other refresh tokens were revoked.", **tokens})
