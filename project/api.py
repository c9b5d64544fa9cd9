"""Conventions shared by every JSON endpoint under /api/.

Errors are ``{"code": "<stable_code>", "detail": "<short message>"}``: the code
is for programs, the message for people, and neither carries library text.
Unauthenticated is 401, authenticated but not allowed is 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ApiError(exceptions.APIException):
    """Raise with a stable ``code``, a short ``detail`` and a status."""

    def __init__(
        self, *, code: str, detail: str, status_code: int = status.HTTP_400_BAD_REQUEST
    ):
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.error_code = code


_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    Http404: "not_found",
    PermissionDenied: "permission_denied",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "malformed_request",
    exceptions.Throttled: "throttled",
    exceptions.ValidationError: "invalid",
}


def exception_handler(exc, context):
    """DRF's handler, reshaped into ``{"code", "detail"}`` (plus ``fields``)."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "error_code", None) or next(
        (value for cls, value in _CODES.items() if isinstance(exc, cls)), "error"
    )
    body: dict = {"code": code}
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = "Some fields are invalid."
        body["fields"] = response.data
    elif isinstance(exc, Http404 | exceptions.NotFound):
        # get_object_or_404's message names the model: say less.
        body["detail"] = "Not found."
    elif isinstance(response.data, dict) and "detail" in response.data:
        body["detail"] = str(response.data["detail"])
    else:
        body["detail"] = str(exc)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # SessionAuthentication has no WWW-Authenticate scheme; keep 401 anyway.
        response.status_code = status.HTTP_401_UNAUTHORIZED
    return Response(body, status=response.status_code, headers=dict(response.headers))


class JsonFallbackNegotiation(DefaultContentNegotiation):
    """Answer in the view's first format when the Accept header asks otherwise.

    A browser tab opening /api/me/ (Accept: text/html) or a CSV download's
    error (Accept: text/csv) gets JSON rather than a 406.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type
