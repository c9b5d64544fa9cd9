"""Rules every endpoint under /api/ follows, whichever app wrote it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

API_PREFIX = "/api/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_PLAIN_ERRORS = {
    400: {"code": "bad_request", "detail": "Bad request."},
    403: {"code": "permission_denied", "detail": "Not allowed."},
    404: {"code": "not_found", "detail": "Not found."},
    413: {"code": "request_too_large", "detail": "Request body too large."},
    500: {"code": "server_error", "detail": "Something went wrong on our side."},
}


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


class ApiMiddleware:
    """JSON-only same-site unsafe requests, JSON errors, no-store, for /api/.

    A cross-site form or ``text/plain`` post is a CORS "simple request": the
    browser sends it without a preflight. Refusing every unsafe request whose
    body is not JSON (415) keeps those away from the views, even from a view
    that never reads its body. Responses carry ``Cache-Control: no-store`` so
    that neither a shared cache nor the browser keeps a user's data.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        unsafe = request.method not in SAFE_METHODS
        if unsafe and request.META.get("HTTP_SEC_FETCH_SITE") == "cross-site":
            # Fetch metadata: a browser says this came from another site. No
            # client of this API is cross-site (see README), so refuse before
            # any view runs; CSRF tokens remain the main defence.
            response: HttpResponse = JsonResponse(
                {"code": "csrf_failed", "detail": "Cross-site request refused."},
                status=403,
            )
        elif unsafe and self._has_non_json_body(request):
            response = JsonResponse(
                {
                    "code": "unsupported_media_type",
                    "detail": "Send the request body as application/json.",
                },
                status=415,
            )
        else:
            response = self.get_response(request)
        if response.status_code in _PLAIN_ERRORS and not _is_json(
            response.get("Content-Type", "")
        ):
            # Django's own HTML pages (no URL matched, a body over
            # DATA_UPLOAD_MAX_MEMORY_SIZE, an uncaught error).
            response = JsonResponse(
                _PLAIN_ERRORS[response.status_code], status=response.status_code
            )
        if "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response

    @staticmethod
    def _has_non_json_body(request: HttpRequest) -> bool:
        content_type = request.META.get("CONTENT_TYPE", "")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if length <= 0 and not chunked:
            return False  # no body, nothing a form could have smuggled in
        return not _is_json(content_type)
