"""Passkey JSON endpoints under /api/passkeys/: thin views over the ceremonies.

The sign-in endpoints are reached anonymously, and DRF's SessionAuthentication
checks CSRF only for signed-in users, so they are ``csrf_protect``-ed
explicitly: a foreign page cannot sign a browser into the attacker's account
(login CSRF).
"""

from typing import Any

from allauth.core import ratelimit
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError, Throttled, UnsupportedMediaType
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from project.api import ApiError
from project.api_schema import error_responses

from . import ceremonies, selectors, services
from .app_settings import app_settings
from .models import Passkey
from .passkeys import VerificationFailed

FAILED = {
    "code": "passkey_verification_failed",
    "detail": "Passkey verification failed.",
}


class PasskeyOut(serializers.ModelSerializer):
    synced = serializers.BooleanField(source="is_synced")

    class Meta:
        model = Passkey
        fields = ["id", "name", "created_at", "last_used_at", "synced", "backup_state"]


class AssertionIn(serializers.Serializer):
    """Schema only: the view reads the body itself (size limit first)."""

    credential = serializers.DictField(help_text="navigator.credentials.get() JSON")
    next = serializers.CharField(required=False)


class AttestationIn(serializers.Serializer):
    """Schema only: the view reads the body itself (size limit first)."""

    credential = serializers.DictField(help_text="navigator.credentials.create() JSON")
    name = serializers.CharField(required=False)


class AuthenticatedOut(serializers.Serializer):
    reauthenticated = serializers.BooleanField()
    redirect = serializers.CharField()


class RemovedOut(serializers.Serializer):
    sessions_ended = serializers.IntegerField()


class BodyTooLarge(VerificationFailed):
    def __init__(self):
        super().__init__("body_too_large")


def _body(request: Request):
    """A reader for the JSON body that refuses oversized and malformed ones."""

    def read() -> Any:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > app_settings.MAX_BODY_BYTES:
            raise BodyTooLarge
        try:
            return request.data
        except (ParseError, UnsupportedMediaType) as exc:
            raise VerificationFailed("malformed_body") from exc

    return read


def _failed(failure: VerificationFailed) -> ApiError:
    if isinstance(failure, BodyTooLarge):
        return ApiError(
            code="request_too_large",
            detail="Request body too large.",
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    return ApiError(**FAILED)


def _reauth_required() -> ApiError:
    return ApiError(
        code="reauth_required",
        detail="Confirm it is you (password or passkey) and try again.",
        status_code=status.HTTP_403_FORBIDDEN,
    )


class TooManyAttempts(Throttled):
    """429 with ``Retry-After``, under the API's own stable code."""

    error_code = "too_many_attempts"
    default_detail = "Too many passkey sign-in attempts."


def _rate_limit(request: Request) -> None:
    # allauth's limiter, like the password sign-in's; the window is a minute.
    if not ratelimit.consume(request._request, action="passkey_login"):
        raise TooManyAttempts(wait=60)


def _safe_next(request: Request, value: Any) -> str | None:
    if isinstance(value, str) and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


@method_decorator([never_cache, csrf_protect], name="dispatch")
class LoginOptionsView(APIView):
    """Start a passkey sign-in (or re-authentication): request options."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=None,
        responses={200: OpenApiTypes.OBJECT, **error_responses(403, 429)},
    )
    def post(self, request: Request) -> Response:
        _rate_limit(request)
        return Response(ceremonies.begin_authentication(request._request))


@method_decorator([never_cache, csrf_protect], name="dispatch")
class LoginVerifyView(APIView):
    """Finish a passkey sign-in; a signed-in user re-authenticates instead."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=AssertionIn,
        responses={200: AuthenticatedOut, **error_responses(400, 403, 413, 429)},
    )
    def post(self, request: Request) -> Response:
        _rate_limit(request)
        try:
            result = ceremonies.complete_authentication(
                request._request,
                body=_body(request),
                safe_next=lambda value: _safe_next(request, value),
            )
        except VerificationFailed as failure:
            raise _failed(failure) from None
        return Response(
            {"reauthenticated": result.reauthenticated, "redirect": result.redirect_url}
        )


@method_decorator(never_cache, name="dispatch")
class RegisterOptionsView(APIView):
    """Start adding a passkey: needs a fresh re-authentication."""

    @extend_schema(
        request=None,
        responses={200: OpenApiTypes.OBJECT, **error_responses(401, 403)},
    )
    def post(self, request: Request) -> Response:
        if not selectors.recently_reauthenticated(request._request):
            raise _reauth_required()
        return Response(ceremonies.begin_registration(request._request))


@method_decorator(never_cache, name="dispatch")
class RegisterVerifyView(APIView):
    """Finish adding a passkey for the user who started the ceremony."""

    @extend_schema(
        request=AttestationIn,
        responses={201: PasskeyOut, **error_responses(400, 401, 403, 413)},
    )
    def post(self, request: Request) -> Response:
        if not selectors.recently_reauthenticated(request._request):
            raise _reauth_required()
        try:
            passkey = ceremonies.complete_registration(
                request._request, body=_body(request)
            )
        except VerificationFailed as failure:
            raise _failed(failure) from None
        return Response(PasskeyOut(passkey).data, status=status.HTTP_201_CREATED)


class PasskeyListView(APIView):
    """The signed-in user's passkeys."""

    @extend_schema(responses={200: PasskeyOut(many=True), **error_responses(401)})
    def get(self, request: Request) -> Response:
        rows = selectors.passkeys_of(user=request.user)
        return Response(PasskeyOut(rows, many=True).data)


class PasskeyDetailView(APIView):
    """Rename (PATCH) or remove (DELETE, re-authentication first) a passkey."""

    class RenameIn(serializers.Serializer):
        name = serializers.CharField(max_length=app_settings.NAME_MAX_LENGTH)

    class RemoveIn(serializers.Serializer):
        end_sessions = serializers.BooleanField(default=False)

    def _own(self, request: Request, pk: int) -> Passkey:
        passkey = selectors.passkeys_of(user=request.user).filter(pk=pk).first()
        if passkey is None:
            raise ApiError(
                code="not_found",
                detail="No such passkey.",
                status_code=status.HTTP_404_NOT_FOUND,
            )
        return passkey

    @extend_schema(
        request=RenameIn,
        responses={200: PasskeyOut, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request: Request, passkey_id: int) -> Response:
        passkey = self._own(request, passkey_id)
        data = self.RenameIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.rename_passkey(
            passkey=passkey,
            name=ceremonies.passkey_name(
                data.validated_data["name"], user=request.user
            ),
            actor=request.user,
            request=request._request,
        )
        return Response(PasskeyOut(passkey).data)

    @extend_schema(
        request=RemoveIn,
        responses={200: RemovedOut, **error_responses(400, 401, 403, 404, 409)},
    )
    def delete(self, request: Request, passkey_id: int) -> Response:
        passkey = self._own(request, passkey_id)
        data = self.RemoveIn(data=request.data or {})
        data.is_valid(raise_exception=True)
        if not selectors.recently_reauthenticated(request._request):
            raise _reauth_required()
        try:
            ended = services.remove_passkey(
                passkey=passkey,
                actor=request.user,
                end_sessions=data.validated_data["end_sessions"],
                request=request._request,
            )
        except services.LastWayIn:
            raise ApiError(
                code="last_passkey",
                detail="This is your only way to sign in: set a password first.",
                status_code=status.HTTP_409_CONFLICT,
            ) from None
        return Response({"sessions_ended": ended})
