"""Every session state change, one function each.

Each writes its registry change and its audit event in one transaction and
deletes session stores only after commit. The admin, the pages, the API, the
signal receivers and the management commands all call these functions.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import transaction
from django.db.models import F, Max, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from . import chain, notifications, selectors
from .clients import client_ip, storable, user_agent
from .models import Event, EventType, Method, Reason, UserSession
from .refs import session_ref
from .useragents import describe

logger = logging.getLogger(__name__)


def _label(user: AbstractBaseUser | None) -> str:
    return user.get_username()[:150] if user is not None and user.pk else ""


def record_event(
    *,
    event_type: EventType,
    request: HttpRequest | None = None,
    actor: AbstractBaseUser | None = None,
    subject: AbstractBaseUser | None = None,
    session_ref: str = "",
    method: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one audit event, hash-chained; IP and user agent from ``request``."""
    event_type = EventType(event_type)  # refuses unknown types
    actor = actor if actor is not None and actor.is_authenticated else None
    event = Event(
        created_at=timezone.now(),
        event_type=event_type,
        actor=actor,
        actor_label=_label(actor),
        subject=subject,
        subject_label=_label(subject),
        session_ref=session_ref,
        method=method,
        reason=reason,
        ip=client_ip(request),
        user_agent=user_agent(request),
        data=data or {},
    )
    return chain.append(event)


def _delete_stores(session_keys: list[str]) -> None:
    """Delete session data from the database and the cache (after commit).

    If the cache delete is lost, the registry row is already gone, so the
    surviving copy no longer authenticates anyone (principle 1).
    """
    if not session_keys:
        return
    Session.objects.filter(session_key__in=session_keys).delete()
    try:
        caches[settings.SESSION_CACHE_ALIAS].delete_many(
            [KEY_PREFIX + key for key in session_keys]
        )
    except Exception:
        logger.warning("Session cache delete failed; the registry still refuses them.")


def register_session(
    *,
    request: HttpRequest,
    user: AbstractBaseUser,
    method: str,
    passkey_id: int | None = None,
) -> UserSession:
    """Record a successful sign-in: the registry row and its audit event.

    Called from ``user_logged_in``, after Django has rotated the session key.
    A sign-in on a session that is already registered (the same user signing
    in again) refreshes that row rather than adding a second one; either way
    the sign-in restarts both timeouts. A new row beyond
    ``MAX_SESSIONS_PER_USER`` ends the user's oldest session. A sign-in from a
    browser the account has not used before is mailed to the user.
    ``passkey_id`` names the passkey a passkey sign-in used.
    """
    from . import lifecycle  # it builds on this module

    key = request.session.session_key
    now = timezone.now()
    agent = user_agent(request)
    with transaction.atomic():
        row = UserSession.objects.filter(session_key=key).first()
        new_device = selectors.is_new_device(user=user, user_agent=agent)
        if row is None:
            epoch = (
                get_user_model()
                .objects.filter(pk=user.pk)
                .values_list("session_epoch", flat=True)
                .get()
            )
            row = UserSession.objects.create(
                user=user,
                session_key=key,
                ref=session_ref(key),
                epoch=epoch,
                method=method,
                passkey_id=passkey_id,
                ip=client_ip(request),
                user_agent=agent,
                created_at=now,
                auth_at=now,
                last_seen_at=now,
            )
            created = True
        else:
            UserSession.objects.filter(pk=row.pk).update(
                method=method, passkey_id=passkey_id, auth_at=now, last_seen_at=now
            )
            created = False
        event = partial(
            record_event,
            request=request,
            actor=user,
            subject=user,
            session_ref=row.ref,
            method=method,
        )
        event(event_type=EventType.LOGIN_SUCCEEDED)
        if created:
            event(event_type=EventType.SESSION_CREATED)
            lifecycle.enforce_session_limit(user=user, keep=row, request=request)
        if new_device:
            transaction.on_commit(
                partial(
                    notifications.notify,
                    template_prefix=notifications.NEW_DEVICE,
                    user=user,
                    request=request,
                    extra={"device": describe(agent)},
                )
            )
    return row


def record_login_failure(
    *, request: HttpRequest | None, username: str, method: str = Method.PASSWORD
) -> Event:
    """Audit a failed sign-in, naming the account only if it exists."""
    subject = get_user_model().objects.filter(username=username).first()
    return record_event(
        event_type=EventType.LOGIN_FAILED,
        request=request,
        subject=subject,
        method=method,
        reason=Reason.BAD_CREDENTIALS,
        data={"username": storable(username[:150])},
    )


def rotate_session(*, old_key: str, new_key: str) -> None:
    """Follow a session key rotation (``cycle_key``) in the registry."""
    with transaction.atomic():
        row = UserSession.objects.filter(session_key=old_key).first()
        if row is None:
            return
        UserSession.objects.filter(pk=row.pk).update(session_key=new_key)
        record_event(
            event_type=EventType.SESSION_ROTATED,
            actor=row.user,
            subject=row.user,
            session_ref=row.ref,
        )


def end_session_at_logout(*, request: HttpRequest, user: AbstractBaseUser) -> None:
    """Record a sign-out. Django flushes the session store right after."""
    with transaction.atomic():
        row = UserSession.objects.filter(
            session_key=request.session.session_key
        ).first()
        if row is not None:
            row.delete()
        record_event(
            event_type=EventType.LOGGED_OUT,
            request=request,
            actor=user,
            subject=user,
            session_ref=row.ref if row else session_ref(request.session.session_key),
            reason=Reason.LOGOUT,
        )


def revoke_session(
    *,
    session: UserSession,
    actor: AbstractBaseUser | None,
    reason: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> bool:
    """End one session. Returns False when it had already ended."""
    with transaction.atomic():
        deleted, _ = UserSession.objects.filter(pk=session.pk).delete()
        if not deleted:
            return False
        record_event(
            event_type=EventType.SESSION_REVOKED,
            request=request,
            actor=actor,
            subject=session.user,
            session_ref=session.ref,
            method=session.method,
            reason=reason,
            data={"note": note} if note else None,
        )
        transaction.on_commit(partial(_delete_stores, [session.session_key]))
        if reason == Reason.ADMIN:
            _notify_ended_by_admin(user=session.user, count=1, request=request)
    return True


def _notify_ended_by_admin(
    *, user: AbstractBaseUser, count: int, request: HttpRequest | None
) -> None:
    if count:
        transaction.on_commit(
            partial(
                notifications.notify,
                template_prefix=notifications.SESSIONS_ENDED_BY_ADMIN,
                user=user,
                request=request,
                extra={"count": count},
            )
        )


def revoke_all_sessions(
    *,
    user: AbstractBaseUser,
    actor: AbstractBaseUser | None,
    reason: str,
    keep: UserSession | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> int:
    """End every session of ``user`` except ``keep``; return how many ended.

    Also moves the user's session epoch, so that a session row that escaped the
    delete (a sign-in committing concurrently, a restored copy) is dead too.
    """
    User = get_user_model()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        epoch = (
            User.objects.filter(pk=user.pk)
            .values_list("session_epoch", flat=True)
            .get()
        )
        user.session_epoch = epoch
        rows = UserSession.objects.select_for_update().filter(user=user)
        if keep is not None:
            rows = rows.exclude(pk=keep.pk)
            UserSession.objects.filter(pk=keep.pk).update(epoch=epoch)
        ended = list(rows)
        UserSession.objects.filter(pk__in=[row.pk for row in ended]).delete()
        extra = {"note": note} if note else {}
        for row in ended:
            record_event(
                event_type=EventType.SESSION_REVOKED,
                request=request,
                actor=actor,
                subject=user,
                session_ref=row.ref,
                method=row.method,
                reason=reason,
                data=extra,
            )
        record_event(
            event_type=EventType.ALL_SESSIONS_REVOKED,
            request=request,
            actor=actor,
            subject=user,
            session_ref=keep.ref if keep else "",
            reason=reason,
            data={"count": len(ended), "kept_current": keep is not None, **extra},
        )
        transaction.on_commit(
            partial(_delete_stores, [row.session_key for row in ended])
        )
        if reason == Reason.ADMIN:
            _notify_ended_by_admin(user=user, count=len(ended), request=request)
    return len(ended)


def force_logout(
    *,
    users: Iterable[AbstractBaseUser],
    actor: AbstractBaseUser,
    reason: str = Reason.ADMIN,
    note: str = "",
    request: HttpRequest | None = None,
) -> int:
    """End every session of each user (the admin's "Force logout")."""
    return sum(
        revoke_all_sessions(
            user=user, actor=actor, reason=reason, note=note, request=request
        )
        for user in users
    )


def start_export(
    *,
    events: QuerySet[Event],
    actor: AbstractBaseUser | None,
    filters: dict[str, Any],
    request: HttpRequest | None = None,
) -> QuerySet[Event]:
    """Freeze an export to the events that exist now, audit it, return them.

    The export's own ``audit_exported`` event comes after the frozen range, so
    the recorded row count is exactly what the file holds.
    """
    last_id = events.aggregate(last=Max("id"))["last"] or 0
    frozen = events.filter(id__lte=last_id)
    with transaction.atomic():
        record_event(
            event_type=EventType.AUDIT_EXPORTED,
            request=request,
            actor=actor,
            data={"filters": filters, "row_count": frozen.count()},
        )
    return frozen


@dataclass(frozen=True)
class KillSwitchResult:
    users: int
    sessions: int


def revoke_every_session(*, note: str = "") -> KillSwitchResult:
    """The kill switch: end every session of every user (reason ``kill_switch``).

    Every user's epoch moves in one statement first, so every session dies at
    once, even one the loop below has not reached yet or one whose row escaped
    it; then each user's sessions are ended and audited as ``revoke_all``
    does. Run from the command line, it has no actor and keeps no session.
    """
    User = get_user_model()
    with transaction.atomic():
        User.objects.update(session_epoch=F("session_epoch") + 1)
    user_ids = list(
        UserSession.objects.values_list("user_id", flat=True).distinct().order_by()
    )
    ended = sum(
        revoke_all_sessions(user=user, actor=None, reason=Reason.KILL_SWITCH, note=note)
        for user in User.objects.filter(pk__in=user_ids).order_by("pk")
    )
    record_event(
        event_type=EventType.ALL_SESSIONS_REVOKED,
        reason=Reason.KILL_SWITCH,
        data={"users": len(user_ids), "count": ended, "scope": "everyone"}
        | ({"note": note} if note else {}),
    )
    return KillSwitchResult(users=len(user_ids), sessions=ended)
