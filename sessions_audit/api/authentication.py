"""The API's only authentication class: the session cookie.

DRF's ``SessionAuthentication`` with one change: a CSRF failure is the stable
``{"code": "csrf_failed"}`` rather than a library message, so that a client can
tell it apart from a permission refusal and prime the cookie again. (DRF loads
this module while importing its own views, so it must not import project.api.)
"""

from rest_framework import authentication, exceptions
from rest_framework.request import Request


class CsrfFailed(exceptions.PermissionDenied):
    error_code = "csrf_failed"  # read by project.api.exception_handler
    default_detail = (
        "CSRF check failed: send the X-CSRFToken header from the CSRF cookie."
    )


class SessionAuthentication(authentication.SessionAuthentication):
    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise CsrfFailed() from None
