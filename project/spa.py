"""The single-page client: one HTML shell, the rest is static/js/spa.js."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET


@require_GET
@ensure_csrf_cookie
def spa(request: HttpRequest) -> HttpResponse:
    """Serve the shell. It carries no user data and no secret, only names.

    The CSRF cookie's name is passed in a data- attribute so that the script
    reads the token from the cookie at each call instead of from the page.
    """
    response = render(
        request,
        "spa/index.html",
        {"csrf_cookie_name": settings.CSRF_COOKIE_NAME},
    )
    response["Cache-Control"] = "no-store"
    return response
