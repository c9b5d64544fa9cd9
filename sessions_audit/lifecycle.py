"""A live session's life between sign-in and its end: activity, timeouts,
re-authentication and the concurrent-session limit.

Like services.py, each state change writes its registry change and its audit
event in one transaction and deletes session stores only after commit.
"""

from datetime import datetime
from functools import partial

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from .app_settings import app_settings
from .clients import client_ip, user_agent
from .models import EventType, Reason, UserSession
from .services import _delete_stores, record_event, revoke_session
from .useragents import describe


def expiry_reason(row: UserSession, *, now: datetime) -> str | None:
    """Return why ``row`` has timed out (``absolute`` / ``idle``), or None.

    Pure: reads only the row and its user, which the one authenticating query
    already loaded. Idle counts from the last *recorded* activity, which is at
    most one activity window behind the real one, so a session may end up to a
    window early, never late.
    """
    if now - row.auth_at >= app_settings.ABSOLUTE_TIMEOUT:
        return Reason.ABSOLUTE
    if now - row.last_seen_at >= app_settings.idle_timeout_for(row.user):
        return Reason.IDLE
    return None


def expire_session(
    *, session: UserSession, reason: str, request: HttpRequest | None = None
) -> bool:
    """End a session whose timeout fired. Returns False if it had already ended."""
    with transaction.atomic():
        deleted, _ = UserSession.objects.filter(pk=session.pk).delete()
        if not deleted:
            return False
        record_event(
            event_type=EventType.SESSION_EXPIRED,
            request=request,
            subject=session.user,
            session_ref=session.ref,
            method=session.method,
            reason=reason,
            data={
                "signed_in_at": session.auth_at.isoformat(),
                "last_seen_at": session.last_seen_at.isoformat(),
            },
        )
        transaction.on_commit(partial(_delete_stores, [session.session_key]))
    return True


def record_activity(*, session: UserSession, request: HttpRequest) -> None:
    """Note that ``session`` was used: throttled, except when the client changed.

    Last seen is written at most once per activity window. A different IP or
    user agent is written at once and audited as ``client_changed``: the event
    keeps both IPs (audit rows hold plain IPs anyway) and the browser/OS names
    of both user agents; the new full user agent is the event's own field, and
    the old one is on the session's earlier events, so it is not stored twice.
    """
    now = timezone.now()
    ip, agent = client_ip(request), user_agent(request)
    if ip == session.ip and agent == session.user_agent:
        if now - session.last_seen_at >= app_settings.ACTIVITY_WINDOW:
            UserSession.objects.filter(pk=session.pk).update(last_seen_at=now)
            session.last_seen_at = now
        return
    with transaction.atomic():
        UserSession.objects.filter(pk=session.pk).update(
            ip=ip, user_agent=agent, last_seen_at=now
        )
        record_event(
            event_type=EventType.CLIENT_CHANGED,
            request=request,
            actor=session.user,
            subject=session.user,
            session_ref=session.ref,
            method=session.method,
            data={
                "old_ip": session.ip,
                "new_ip": ip,
                "old_device": describe(session.user_agent),
                "new_device": describe(agent),
            },
        )
    session.ip, session.user_agent, session.last_seen_at = ip, agent, now


def record_reauthentication(
    *,
    request: HttpRequest,
    user: AbstractBaseUser,
    method: str,
    data: dict | None = None,
) -> bool:
    """Restart both timers of the current session after a re-authentication.

    NIST SP 800-63B-4 §5.2: a successful re-authentication resets the idle and
    the absolute timeout. The key is rotated too (ASVS 7.2.4: a new session
    token on every authentication), which the registry follows as
    ``session_rotated``. Returns False when the request has no live session.
    """
    key = request.session.session_key
    now = timezone.now()
    with transaction.atomic():
        row = UserSession.objects.filter(session_key=key, user_id=user.pk).first()
        if row is None:
            return False
        UserSession.objects.filter(pk=row.pk).update(auth_at=now, last_seen_at=now)
        record_event(
            event_type=EventType.REAUTHENTICATED,
            request=request,
            actor=user,
            subject=user,
            session_ref=row.ref,
            method=method,
            data=data,
        )
    request.session.cycle_key()
    return True


def enforce_session_limit(
    *, user: AbstractBaseUser, keep: UserSession, request: HttpRequest | None = None
) -> int:
    """End the oldest sessions of ``user`` beyond the limit; return how many.

    Called inside the sign-in transaction; ``keep`` (the new session) never ends.
    """
    limit = app_settings.MAX_SESSIONS_PER_USER
    rows = list(
        UserSession.objects.select_related("user")
        .filter(user=user)
        .exclude(pk=keep.pk)
        .order_by("-created_at")[max(limit - 1, 0) :]
    )
    for row in rows:
        revoke_session(
            session=row, actor=user, reason=Reason.CONCURRENCY_LIMIT, request=request
        )
    return len(rows)
