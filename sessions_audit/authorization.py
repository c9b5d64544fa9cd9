"""Permission checks for the audit log and the admin, with refusals audited.

Only ``view_event`` reads the audit log and only ``export_event`` (with
``view_event``) exports it; ``revoke_usersession`` (ending sessions) grants
neither. A refusal writes one ``authorization_refused`` event naming the actor,
the resource and the missing permissions, then answers 403.
"""

from collections.abc import Iterable

from allauth.account.decorators import reauthentication_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .models import EventType
from .services import record_event

VIEW_EVENTS = "sessions_audit.view_event"
EXPORT_EVENTS = "sessions_audit.export_event"


def refuse(
    request: HttpRequest, *, resource: str, permissions: Iterable[str] = ()
) -> PermissionDenied:
    """Audit a refused attempt; return the PermissionDenied to raise."""
    session = getattr(request, "user_session", None)
    record_event(
        event_type=EventType.AUTHORIZATION_REFUSED,
        request=request,
        actor=request.user,
        session_ref=session.ref if session is not None else "",
        data={
            "resource": resource,
            "permissions": sorted(permissions),
            "http_method": request.method,
            "path": request.path[:200],
        },
    )
    return PermissionDenied("You may not do this.")


def require(request: HttpRequest, *perms: str, resource: str) -> None:
    """Raise (audited) PermissionDenied unless the user holds every permission."""
    missing = [perm for perm in perms if not request.user.has_perm(perm)]
    if missing:
        raise refuse(request, resource=resource, permissions=missing)


@reauthentication_required
def _recently_authenticated(request: HttpRequest) -> None:
    """A no-op view behind allauth's decorator: raises unless re-authenticated."""


def require_reauthentication(request: HttpRequest) -> None:
    """Raise allauth's ReauthenticationRequired unless the user re-entered their
    credentials within ACCOUNT_REAUTHENTICATION_TIMEOUT; allauth's middleware
    then sends them to /accounts/reauthenticate/ and back (a POST is replayed).
    """
    _recently_authenticated(request)


def refuse_cross_site(request: HttpRequest, *, resource: str) -> None:
    """Refuse (audited) a download requested by another site (Fetch Metadata).

    Browsers send ``Sec-Fetch-Site``; a link or form on another site that makes
    a signed-in auditor's browser fetch an export says ``cross-site``. Older
    browsers send nothing and are let through (the session cookie is SameSite).
    """
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise refuse(request, resource=f"{resource}:cross_site")
