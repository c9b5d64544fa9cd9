"""Who may call what. Checked on the server at every request, never cached."""

from rest_framework import permissions, status
from rest_framework.request import Request

from project.api import ApiError

from .. import services
from ..models import EventType
from .authentication import SessionAuthentication


class CsrfProtected(permissions.BasePermission):
    """CSRF on anonymous endpoints too (login CSRF).

    DRF checks CSRF only once a session has authenticated a user; an endpoint
    that starts a session must check it for anonymous callers as well.
    """

    def has_permission(self, request: Request, view) -> bool:
        if request.method not in permissions.SAFE_METHODS:
            SessionAuthentication().enforce_csrf(request)
        return True


def recently_authenticated(request: Request) -> bool:
    """True if this session re-authenticated (password or passkey) a short while ago.

    The same rule as the HTML pages (accounts.selectors.recently_reauthenticated,
    allauth's records in the server-side session, allauth's timeout): nothing the
    client sends counts.
    """
    from accounts.selectors import recently_reauthenticated

    return recently_reauthenticated(request._request)


def require_recent_authentication(request: Request) -> None:
    """Raise 403 ``reauth_required`` unless authenticated recently."""
    if not recently_authenticated(request):
        raise ApiError(
            code="reauth_required",
            detail="Confirm your password first (POST /api/auth/reauth/).",
            status_code=status.HTTP_403_FORBIDDEN,
        )


class RecentAuthentication(permissions.BasePermission):
    """Refuse with 403 ``reauth_required`` unless authenticated recently."""

    def has_permission(self, request: Request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return True  # IsAuthenticated answers 401 first
        require_recent_authentication(request)
        return True


def has_perm(perm: str, *, staff: bool = False) -> type[permissions.BasePermission]:
    """A permission class requiring ``perm`` (and staff status if asked).

    A refusal of a signed-in user is audited as ``authorization_refused``.
    """

    class HasPerm(permissions.BasePermission):
        message = "You do not have permission to do this."

        def has_permission(self, request: Request, view) -> bool:
            user = request.user
            if not user or not user.is_authenticated:
                return False
            if (not staff or user.is_staff) and user.has_perm(perm):
                return True
            services.record_event(
                event_type=EventType.AUTHORIZATION_REFUSED,
                request=request._request,
                actor=user,
                subject=user,
                session_ref=getattr(request._request.user_session, "ref", ""),
                data={
                    "resource": "api:" + request.path[:200],
                    "permissions": [perm],
                    "http_method": request.method,
                    "path": request.path[:200],
                },
            )
            return False

    HasPerm.__name__ = f"HasPerm[{perm}]"
    return HasPerm
