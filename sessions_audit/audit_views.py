"""The auditor pages: the filtered event list, its export, the dashboard.

Thin: permissions (refusals audited) in authorization.py, reads in
selectors.py, the export in services.start_export + responses.export_response.
An export needs a fresh re-authentication (allauth's reauthentication flow).
"""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import charts, selectors, services
from .authorization import (
    EXPORT_EVENTS,
    VIEW_EVENTS,
    refuse_cross_site,
    require,
    require_reauthentication,
)
from .export import FORMATS
from .forms import AuditFilterForm, DashboardRangeForm, start_of_day
from .models import EventType, Reason
from .responses import export_response

PAGE_SIZE = 50
ONE_DAY = timedelta(days=1)
# One event per ended session (all_sessions_revoked would count them twice).
REVOCATION_TYPES = [EventType.SESSION_REVOKED, EventType.SESSION_EXPIRED]


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """The audit log, filtered and paginated; export links for exporters."""
    require(request, VIEW_EVENTS, resource="audit_log")
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return render(
            request, "sessions_audit/audit_list.html", {"form": form}, status=400
        )
    events = selectors.audit_events(**form.selection()).order_by("-id")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sessions_audit/audit_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_export": request.user.has_perm(EXPORT_EVENTS),
            "formats": FORMATS,
        },
    )


def _export(request: HttpRequest, form: AuditFilterForm, fmt: str) -> HttpResponse:
    require_reauthentication(request)
    selection = form.selection()
    events = services.start_export(
        events=selectors.audit_events(**selection),
        actor=request.user,
        filters={"source": "auditor_page", "format": fmt, **form.described()},
        request=request,
    )
    return export_response(
        events=events, fmt=fmt, since=selection["since"], until=selection["until"]
    )


@login_required
@require_GET
def event_export(request: HttpRequest) -> HttpResponse:
    """Download the filtered log as CSV or JSON Lines (after re-authentication)."""
    require(request, VIEW_EVENTS, EXPORT_EVENTS, resource="audit_export")
    refuse_cross_site(request, resource="audit_export")
    form = AuditFilterForm(request.GET)
    fmt = request.GET.get("fmt", "csv")
    if not form.is_valid() or fmt not in FORMATS:
        return render(
            request,
            "sessions_audit/audit_list.html",
            {"form": form, "bad_format": fmt not in FORMATS},
            status=400,
        )
    return _export(request, form, fmt)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Sign-ins, failures, live sessions and revocations over a range of days."""
    require(request, VIEW_EVENTS, resource="audit_dashboard")
    form = DashboardRangeForm(request.GET, today=timezone.now().date())
    if not form.is_valid():
        return render(
            request, "sessions_audit/dashboard.html", {"form": form}, status=400
        )
    first, last = form.cleaned_data["since"], form.cleaned_data["until"]
    window = {"since": start_of_day(first), "until": start_of_day(last + ONE_DAY)}
    signins = selectors.daily_event_counts(types=[EventType.LOGIN_SUCCEEDED], **window)
    failures = selectors.daily_event_counts(
        types=[EventType.LOGIN_FAILED, EventType.PASSKEY_LOGIN_FAILED], **window
    )
    reasons = dict(Reason.choices)
    revocations = [
        (reasons.get(reason, reason), count)
        for reason, count in selectors.event_counts_by_reason(
            types=REVOCATION_TYPES, **window
        )
    ]
    active = selectors.active_session_counts()
    context = {
        "form": form,
        "since": first,
        "until": last,
        "signins": charts.daily_bars(
            [
                ("sign-ins", "#2456d3", signins),
                ("failed sign-ins", "#c62828", failures),
            ],
            since=first,
            until=last,
        ),
        "revocations": charts.horizontal_bars(revocations, fill="#6a4fb3"),
        "active": charts.horizontal_bars(active, fill="#2e7d32"),
    }
    return render(request, "sessions_audit/dashboard.html", context)
