"""Reads: the admin, the pages, the API and the exports all query through here."""

from datetime import UTC, date, datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from .app_settings import app_settings
from .models import Event, EventType, UserSession


def active_sessions(*, user: AbstractBaseUser | None = None) -> QuerySet[UserSession]:
    """Live registry rows, most recently seen first."""
    rows = UserSession.objects.select_related("user").order_by("-last_seen_at")
    return rows if user is None else rows.filter(user=user)


def audit_events(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    types: list[str] | None = None,
    user: AbstractBaseUser | None = None,
    ip: str | None = None,
) -> QuerySet[Event]:
    """Audit events in id order, filtered; ``user`` matches actor or subject."""
    events = Event.objects.order_by("id")
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    if types:
        events = events.filter(event_type__in=types)
    if user is not None:
        events = events.filter(subject=user) | events.filter(actor=user)
    if ip:
        events = events.filter(ip=ip)
    return events


def is_new_device(*, user: AbstractBaseUser, user_agent: str) -> bool:
    """Whether ``user`` has signed in before, but never with this user agent.

    The first sign-in of an account is not "new": there is nothing to compare.
    """
    sign_ins = Event.objects.filter(subject=user, event_type=EventType.LOGIN_SUCCEEDED)
    return sign_ins.exists() and not sign_ins.filter(user_agent=user_agent).exists()


def expired_sessions(*, now: datetime) -> QuerySet[UserSession]:
    """Registry rows whose absolute or idle timeout has passed at ``now``.

    A superset filter for the clean-up (the staff idle timeout is the shorter
    one); ``lifecycle.expiry_reason`` decides each row exactly.
    """
    shortest_idle = min(app_settings.IDLE_TIMEOUT, app_settings.STAFF_IDLE_TIMEOUT)
    return (
        UserSession.objects.select_related("user")
        .filter(
            Q(auth_at__lte=now - app_settings.ABSOLUTE_TIMEOUT)
            | Q(last_seen_at__lte=now - shortest_idle)
        )
        .order_by("pk")
    )


def daily_event_counts(
    *, types: list[str], since: datetime, until: datetime
) -> dict[date, int]:
    """How many events of ``types`` happened on each UTC day in [since, until)."""
    rows = (
        Event.objects.filter(
            event_type__in=types, created_at__gte=since, created_at__lt=until
        )
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(count=Count("id"))
        .order_by("day")
    )
    return {row["day"]: row["count"] for row in rows}


def event_counts_by_reason(
    *, types: list[str], since: datetime, until: datetime
) -> list[tuple[str, int]]:
    """(reason, count) for events of ``types`` in [since, until), most first."""
    rows = (
        Event.objects.filter(
            event_type__in=types, created_at__gte=since, created_at__lt=until
        )
        .values("reason")
        .annotate(count=Count("id"))
        .order_by("-count", "reason")
    )
    return [(row["reason"] or "unspecified", row["count"]) for row in rows]


def active_session_counts() -> list[tuple[str, int]]:
    """(sign-in method, live sessions) over the whole registry."""
    rows = (
        UserSession.objects.values("method")
        .annotate(count=Count("id"))
        .order_by("method")
    )
    return [(row["method"], row["count"]) for row in rows]
