"""Sign-in, sign-out, re-authentication and "me" as JSON, for single-page apps.

Password sign-in goes through allauth's own ``LoginForm`` and login flow, as
the HTML page does, so the same rate limits, signals, session-key rotation,
registry row and audit events happen. Endpoints that an anonymous caller may
use are CSRF-checked all the same (login CSRF).
"""

from allauth.account.forms import LoginForm, ReauthenticateForm
from allauth.account.internal import flows
from allauth.core import ratelimit
from django.contrib import messages
from django.http import HttpRequest
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from project.api import ApiError
from project.api_schema import error_responses
from sessions_audit.api.permissions import CsrfProtected

# What the caller may do, computed from the database at every request. The
# keys are stable; the SPA shows or hides its controls from them (and the
# server checks again on every call).
CAPABILITIES = {
    "view_audit": "sessions_audit.view_event",
    "export_audit": "sessions_audit.export_event",
    "force_logout": "sessions_audit.revoke_usersession",
}
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


class LoginInput(serializers.Serializer):
    login = serializers.CharField(max_length=254, help_text="Username or email")
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class ReauthInput(serializers.Serializer):
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class CurrentSessionOutput(serializers.Serializer):
    id = serializers.UUIDField()
    method = serializers.CharField()
    created_at = serializers.DateTimeField()


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    is_staff = serializers.BooleanField()
    permissions = serializers.ListField(child=serializers.CharField())
    can = serializers.DictField(child=serializers.BooleanField())
    session = CurrentSessionOutput(allow_null=True)


def me_payload(request: HttpRequest) -> dict:
    """The signed-in user as the API shows them (never the session key)."""
    user = request.user
    row = getattr(request, "user_session", None)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "email": user.email,
        "is_staff": user.is_staff,
        "permissions": sorted(user.get_all_permissions()),
        "can": {name: user.has_perm(perm) for name, perm in CAPABILITIES.items()},
        "session": None
        if row is None
        else {"id": row.pk, "method": row.method, "created_at": row.created_at},
    }


def _throttled() -> exceptions.Throttled:
    return exceptions.Throttled(wait=60, detail="Too many attempts; try again later.")


def _form_errors(form, *, detail: str) -> ApiError | exceptions.Throttled:
    """One generic refusal (no hint which part was wrong), or 429 when allauth's
    failed-attempt limit refused to look at the credentials at all."""
    codes = {
        error.code for errors in form.errors.as_data().values() for error in errors
    }
    if "too_many_login_attempts" in codes:
        return _throttled()
    return ApiError(
        code="invalid_credentials",
        detail=detail,
        status_code=status.HTTP_400_BAD_REQUEST,
    )


def _drop_flash_messages(request: HttpRequest) -> None:
    # allauth queues "Signed in/out" messages for the next HTML page; an API
    # caller never sees them, so they would surface on some later page.
    list(messages.get_messages(request))


@method_decorator(ensure_csrf_cookie, name="dispatch")
class CsrfView(APIView):
    """Set the CSRF cookie; copy its value into the X-CSRFToken header."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_csrf",
        responses={204: OpenApiResponse(description="CSRF cookie set")},
    )
    def get(self, request: Request) -> Response:
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginView(APIView):
    """Sign in with a password; the session cookie comes back, nothing else."""

    permission_classes = [CsrfProtected]

    @extend_schema(
        operation_id="auth_login",
        request=LoginInput,
        responses={200: MeOutput, **error_responses(400, 403, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        django_request = request._request
        if request.user.is_authenticated:
            raise ApiError(
                code="already_signed_in",
                detail="Sign out first.",
                status_code=status.HTTP_409_CONFLICT,
            )
        body = LoginInput(data=request.data)
        body.is_valid(raise_exception=True)
        if not ratelimit.consume(django_request, action="login"):
            raise _throttled()
        form = LoginForm(data=body.validated_data, request=django_request)
        if not form.is_valid():
            raise _form_errors(form, detail="The username or password is not right.")
        form.login(django_request)
        _drop_flash_messages(django_request)
        # The user_logged_in receiver has set request.user_session.
        if not django_request.user.is_authenticated:
            # A pending stage (e.g. mandatory email verification) stopped it.
            raise ApiError(
                code="login_incomplete",
                detail="Finish signing in on the sign-in page.",
                status_code=status.HTTP_400_BAD_REQUEST,
            )
        return Response(me_payload(django_request))


class LogoutView(APIView):
    """Sign out: the session ends on the server, the browser is told to forget."""

    @extend_schema(
        operation_id="auth_logout",
        request=None,
        responses={
            204: OpenApiResponse(description="Signed out"),
            **error_responses(401, 403),
        },
    )
    def post(self, request: Request) -> Response:
        flows.logout.logout(request._request, show_message=False)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response


class ReauthView(APIView):
    """Confirm the password again; opens the window for sensitive actions."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_reauth",
        request=ReauthInput,
        responses={
            204: OpenApiResponse(description="Re-authenticated"),
            **error_responses(400, 401, 403, 429),
        },
    )
    def post(self, request: Request) -> Response:
        django_request = request._request
        body = ReauthInput(data=request.data)
        body.is_valid(raise_exception=True)
        if not ratelimit.consume(
            django_request, action="reauthenticate", user=request.user
        ):
            raise _throttled()
        form = ReauthenticateForm(data=body.validated_data, user=request.user)
        if not form.is_valid():
            raise _form_errors(form, detail="That password is not right.")
        flows.reauthentication.reauthenticate_by_password(django_request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """Who is signed in, and what they may do, as of this request."""

    @extend_schema(operation_id="me", responses={200: MeOutput, **error_responses(401)})
    def get(self, request: Request) -> Response:
        return Response(me_payload(request._request))
