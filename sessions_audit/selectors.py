"""Reads: the admin, the pages, the API and the exports all query through here."""

from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from .models import Event, UserSession


def active_sessions(*, user: AbstractBaseUser | None = None) -> QuerySet[UserSession]:
    """Live registry rows, most recently seen first."""
    rows = UserSession.objects.select_related("user").order_by("-last_seen_at")
    return rows if user is None else rows.filter(user=user)


def session_for_key(*, session_key: str | None) -> UserSession | None:
    """The live registry row of a session key (a freshly signed-in request)."""
    if not session_key:
        return None
    return UserSession.objects.filter(session_key=session_key).first()


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
