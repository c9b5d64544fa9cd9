"""Sessions ended by a change to the account: password, deactivation, privilege.

The receivers call these for allauth's password flows and for any save of the
user model (admin, forms, shell); each writes its events and revocations in one
transaction, through ``services.revoke_all_sessions``.
"""

from functools import partial

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest

from . import notifications
from .models import EventType, Reason, UserSession
from .services import record_event, revoke_all_sessions


def end_sessions_after_password_change(
    *,
    user: AbstractBaseUser,
    actor: AbstractBaseUser | None,
    keep: UserSession | None,
    request: HttpRequest | None = None,
) -> int:
    """Audit a password change and end the sessions it invalidates.

    A user changing their own password keeps the session they did it from
    (``keep``, which Django has already given a new key); an admin setting it
    ends every session. Returns how many ended.
    """
    with transaction.atomic():
        record_event(
            event_type=EventType.PASSWORD_CHANGED,
            request=request,
            actor=actor,
            subject=user,
            session_ref=keep.ref if keep else "",
            reason=Reason.SELF if actor == user else Reason.ADMIN,
        )
        return revoke_all_sessions(
            user=user,
            actor=actor,
            reason=Reason.PASSWORD_CHANGE,
            keep=keep,
            request=request,
        )


def end_sessions_after_password_reset(
    *, user: AbstractBaseUser, request: HttpRequest | None = None
) -> int:
    """Audit a password reset and end every session of the account.

    Whoever reset the password proved control of the mailbox, not of any
    session, so none is kept.
    """
    with transaction.atomic():
        record_event(event_type=EventType.PASSWORD_RESET, request=request, subject=user)
        return revoke_all_sessions(
            user=user, actor=None, reason=Reason.PASSWORD_RESET, request=request
        )


# Account changes that end every session, strongest reason first: one save
# that both deactivates and changes the password is audited once.
ACCOUNT_CHANGE_REASONS = (
    ("deactivated", Reason.DEACTIVATION),
    ("password", Reason.PASSWORD_CHANGE),
    ("privilege_raised", Reason.PRIVILEGE_CHANGE),
)


def end_sessions_after_account_change(
    *,
    user: AbstractBaseUser,
    changes: set[str],
    actor: AbstractBaseUser | None,
    request: HttpRequest | None = None,
) -> int:
    """End every session of ``user`` after a change made outside allauth's flows.

    ``changes`` holds ``deactivated``, ``password`` (set by an admin, a form or
    the shell) and/or ``privilege_raised`` (made staff or superuser). A raised
    privilege forces a fresh sign-in rather than a key rotation: the admin's
    request cannot hand the user's browser a new cookie, and a fresh sign-in
    also gives the higher-privileged session a full, recent authentication.
    """
    reason = next(
        (r for change, r in ACCOUNT_CHANGE_REASONS if change in changes), None
    )
    if reason is None:
        return 0
    if reason == Reason.PASSWORD_CHANGE:
        # allauth mails its own password changes; this one it never saw.
        transaction.on_commit(
            partial(
                notifications.notify,
                template_prefix=notifications.PASSWORD_CHANGED,
                user=user,
                request=request,
            )
        )
        return end_sessions_after_password_change(
            user=user, actor=actor, keep=None, request=request
        )
    return revoke_all_sessions(user=user, actor=actor, reason=reason, request=request)
