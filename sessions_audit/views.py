"""The user's own sessions: a thin page over the selectors and services."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

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
    return render(
        request,
        "sessions_audit/devices.html",
        {"sessions": rows, "others": len(rows) - 1},
    )


@login_required
def end_session(request: HttpRequest, session_id) -> HttpResponse:
    """End one of the user's own sessions (never another user's: 404).

    GET asks for confirmation; POST ends it. Signing out *here* needs nothing
    more; ending another device needs a recent re-authentication (allauth's),
    as ending all others does.
    """
    row = selectors.active_sessions(user=request.user).filter(pk=session_id).first()
    if row is None:
        raise Http404("No such session.")
    if row.pk != request.user_session.pk:
        return _end_other_session(request, row=row)
    if request.method != "POST":
        return redirect("sessions_audit:devices")
    services.revoke_session(
        session=row, actor=request.user, reason=Reason.SELF, request=request
    )
    return redirect("account_login")


@reauthentication_required
def _end_other_session(request: HttpRequest, *, row) -> HttpResponse:
    if request.method != "POST":
        return render(
            request,
            "sessions_audit/confirm_end.html",
            {"device": describe(row.user_agent), "row": row, "count": 1},
        )
    services.revoke_session(
        session=row, actor=request.user, reason=Reason.SELF, request=request
    )
    messages.success(request, "That session has been ended.")
    return redirect("sessions_audit:devices")


@login_required
@reauthentication_required
def end_other_sessions(request: HttpRequest) -> HttpResponse:
    """End every session of the user but this one, after a re-authentication.

    allauth sends a user without a recent re-authentication to its
    re-authentication page and back here with a GET, which asks to confirm.
    """
    if request.method != "POST":
        count = selectors.active_sessions(user=request.user).count() - 1
        return render(request, "sessions_audit/confirm_end.html", {"count": count})
    ended = services.revoke_all_sessions(
        user=request.user,
        actor=request.user,
        reason=Reason.SELF,
        keep=request.user_session,
        request=request,
    )
    messages.success(
        request,
        ngettext("Ended %d other session.", "Ended %d other sessions.", ended) % ended,
    )
    return redirect("sessions_audit:devices")
