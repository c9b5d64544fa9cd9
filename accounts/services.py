"""Every passkey state change, one function each, each with its audit event.

Callers (the API, the pages, the admin) pass what they verified; nothing here
talks to the WebAuthn library (accounts/passkeys.py does).
"""

import logging
from functools import partial
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.login import perform_login, record_authentication
from allauth.account.models import Login
from allauth.core import context as allauth_context
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from sessions_audit.models import EventType, Method, Reason, UserSession
from sessions_audit.services import record_event, revoke_session

from .models import Passkey, User, credential_ref
from .passkeys import NewCredential, VerifiedAssertion

logger = logging.getLogger(__name__)


class LastWayIn(Exception):
    """Removing this passkey would leave the account with no way to sign in."""


def _notify(
    request: HttpRequest | None, user: User, template: str, context: dict[str, Any]
) -> None:
    """Tell the user out of band (email) that their ways in changed.

    Sent after commit, so a rolled-back change sends nothing. Without a request
    (a management command) there is no IP or browser to report, so no mail.
    """
    if request is None:
        return
    transaction.on_commit(partial(_send, request, user, template, context))


def _send(
    request: HttpRequest | None, user: User, template: str, context: dict[str, Any]
) -> None:
    # allauth's adapter reads the request (IP, user agent, site) from its
    # context, which a commit outside the request would not have.
    try:
        with allauth_context.request_context(request):
            get_adapter().send_notification_mail(
                f"account/email/{template}", user, context
            )
    except Exception:
        # The change is committed and audited; a mail outage must not turn it
        # into a 500.
        logger.warning("Passkey notification mail failed.", exc_info=True)


def _passkey_data(passkey: Passkey, **extra: Any) -> dict[str, Any]:
    return {"passkey_id": passkey.pk, "passkey": passkey.ref, **extra}


def register_passkey(
    *,
    request: HttpRequest,
    user: User,
    credential: NewCredential,
    name: str,
) -> Passkey:
    """Store a verified new credential for ``user`` and audit it."""
    with transaction.atomic():
        passkey = Passkey.objects.create(
            user=user,
            credential_id=credential.credential_id,
            public_key=credential.public_key,
            sign_count=credential.sign_count,
            transports=credential.transports,
            aaguid=credential.aaguid,
            backup_eligible=credential.backup_eligible,
            backup_state=credential.backup_state,
            name=name,
            created_at=timezone.now(),
        )
        record_event(
            event_type=EventType.PASSKEY_REGISTERED,
            request=request,
            actor=user,
            subject=user,
            method=Method.PASSKEY,
            data=_passkey_data(
                passkey,
                name=name,
                synced=credential.backup_eligible,
                aaguid=credential.aaguid,
            ),
        )
        _notify(request, user, "passkey_added", {"passkey_name": name})
    return passkey


def rename_passkey(
    *,
    passkey: Passkey,
    name: str,
    actor: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> Passkey:
    """Give a passkey a new name (audited with the old and the new one)."""
    old = passkey.name
    with transaction.atomic():
        Passkey.objects.filter(pk=passkey.pk).update(name=name)
        passkey.name = name
        record_event(
            event_type=EventType.PASSKEY_RENAMED,
            request=request,
            actor=actor,
            subject=passkey.user,
            data=_passkey_data(passkey, old_name=old, name=name),
        )
    return passkey


def remove_passkey(
    *,
    passkey: Passkey,
    actor: AbstractBaseUser,
    end_sessions: bool,
    reason: str = Reason.SELF,
    request: HttpRequest | None = None,
) -> int:
    """Delete a passkey; with ``end_sessions``, end the sessions it signed in.

    Refuses (``LastWayIn``) to remove a user's last passkey when the user has
    no usable password. Returns how many sessions were ended.
    """
    user = passkey.user
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        others = Passkey.objects.filter(user=user).exclude(pk=passkey.pk).exists()
        if not others and not user.has_usable_password():
            raise LastWayIn
        ended = 0
        if end_sessions:
            for row in UserSession.objects.filter(passkey=passkey).select_related(
                "user"
            ):
                ended += revoke_session(
                    session=row,
                    actor=actor,
                    reason=Reason.PASSKEY_REMOVAL,
                    request=request,
                )
        data = _passkey_data(passkey, name=passkey.name, sessions_ended=ended)
        Passkey.objects.filter(pk=passkey.pk).delete()
        record_event(
            event_type=EventType.PASSKEY_REMOVED,
            request=request,
            actor=actor,
            subject=user,
            reason=reason,
            data=data,
        )
        _notify(
            request,
            user,
            "passkey_removed",
            {
                "passkey_name": data["name"],
                "by_admin": actor.pk != user.pk,
                "sessions_ended": ended,
            },
        )
    return ended


def record_passkey_failure(
    *,
    request: HttpRequest,
    event_type: EventType,
    failure: str,
    subject: AbstractBaseUser | None = None,
    credential_id: bytes | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Audit a failed ceremony: sign-in, registration or a suspected clone."""
    data: dict[str, Any] = {"failure": failure, **(extra or {})}
    if credential_id:
        data["passkey"] = credential_ref(credential_id)
    actor = getattr(request, "user", None)
    record_event(
        event_type=event_type,
        request=request,
        actor=actor,
        subject=subject,
        method=Method.PASSKEY,
        reason=Reason.BAD_CREDENTIALS,
        data=data,
    )


def _mark_used(passkey: Passkey, verified: VerifiedAssertion) -> None:
    # Only after every check passed (the caller's job): a refused assertion
    # leaves the row exactly as it was.
    passkey.sign_count = verified.sign_count
    passkey.backup_state = verified.backup_state
    passkey.last_used_at = timezone.now()
    passkey.save(update_fields=["sign_count", "backup_state", "last_used_at"])


def sign_in_with_passkey(
    *,
    request: HttpRequest,
    passkey: Passkey,
    verified: VerifiedAssertion,
    redirect_url: str | None,
) -> HttpResponse:
    """Sign the passkey's owner in through allauth's login pipeline.

    ``record_authentication`` notes the method (and which passkey) the way a
    password sign-in is noted; ``perform_login`` then runs the same stages,
    signals, key rotation and registry row as a password sign-in.
    """
    with transaction.atomic():
        _mark_used(passkey, verified)
        record_authentication(
            request, passkey.user, method="passkey", passkey_id=passkey.pk
        )
        return perform_login(
            request, Login(user=passkey.user, redirect_url=redirect_url)
        )


def reauthenticate_with_passkey(
    *, request: HttpRequest, passkey: Passkey, verified: VerifiedAssertion
) -> None:
    """Count a passkey assertion by the signed-in user as a re-authentication."""
    with transaction.atomic():
        _mark_used(passkey, verified)
        record_authentication(
            request,
            passkey.user,
            method="passkey",
            passkey_id=passkey.pk,
            reauthenticated=True,
        )
        # allauth's authentication_step_completed signal lets the lifecycle
        # receiver audit the re-authentication, restart the timers and rotate
        # the key, exactly as for a password re-authentication.
