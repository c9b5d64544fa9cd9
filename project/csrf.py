"""One answer for a failed CSRF check, whichever layer made it."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.csrf import csrf_failure as html_csrf_failure

from .middleware import API_PREFIX


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: JSON under /api/ (as DRF's check answers), HTML elsewhere.

    Views that start a session are ``csrf_protect``-ed by Django itself (login
    CSRF), so its failure page would otherwise reach API clients as HTML.
    """
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"code": "csrf_failed", "detail": "CSRF check failed."}, status=403
        )
    return html_csrf_failure(request, reason=reason)
