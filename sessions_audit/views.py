"""The user's own sessions: a thin page over the selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import Reason
from .useragents import describe


@login_required
def devices(request: HttpRequest) -> HttpResponse:
    """List every live session of the signed-in user, marking this one."""
    current = request.user_session
    rows = [
        {
            "row": row,
            "device": describe(row.user_agent),
            "is_current": row.pk == current.pk,
        }
        for row in selectors.active_sessions(user=request.user)
    ]
    return render(request, "sessions_audit/devices.html", {"sessions": rows})


@login_required
@require_POST
def end_session(request: HttpRequest, session_id) -> HttpResponse:
    """End one of the user's own sessions (never another user's: 404)."""
    row = selectors.active_sessions(user=request.user).filter(pk=session_id).first()
    if row is None:
        raise Http404("No such session.")
    services.revoke_session(
        session=row, actor=request.user, reason=Reason.SELF, request=request
    )
    if row.pk == request.user_session.pk:
        return redirect("account_login")
    messages.success(request, "That session has been ended.")
    return redirect("sessions_audit:devices")
