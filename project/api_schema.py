"""The OpenAPI schema's shared parts and its docs page."""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class CookieSessionScheme(SessionScheme):
    """The session cookie, as the schema's only security scheme."""

    target_class = "sessions_audit.api.authentication.SessionAuthentication"
    match_subclasses = True


class ErrorSerializer(serializers.Serializer):
    """Every error body: a stable code for programs, a message for people."""

    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(
        required=False, help_text="Per-field messages when code is 'invalid'."
    )


_DESCRIPTIONS = {
    400: "Invalid input",
    401: "Not signed in",
    403: "Not allowed, CSRF check failed, or reauth_required",
    404: "Not found (or not yours)",
    405: "Method not allowed",
    409: "Conflict",
    413: "Body too large",
    415: "Body is not application/json",
    429: "Too many attempts",
}


def error_responses(*codes: int) -> dict:
    """``extend_schema(responses=...)`` entries for the given error statuses."""
    return {
        code: OpenApiResponse(response=ErrorSerializer, description=_DESCRIPTIONS[code])
        for code in codes
    }


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from static files (sidecar), its init script a separate URL.

    The separate script keeps the page within ``script-src 'self'``; the
    template override in templates/drf_spectacular/ drops the inline style.
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []
