"""The two WebAuthn ceremonies, from options to a stored passkey or a session.

The API views call these. Every failure is audited here, once, and leaves as
``VerificationFailed`` (the views answer a generic 400); nothing is written
for a refused response except its audit event.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from sessions_audit.models import EventType

from . import passkeys, selectors, services
from .app_settings import app_settings
from .models import Passkey, User
from .passkeys import SignCountRegressed, VerificationFailed

Body = Callable[[], Any]


@dataclass(frozen=True)
class AuthenticationResult:
    redirect_url: str
    reauthenticated: bool


def _payload(body: Body) -> dict[str, Any]:
    data = body()
    if not isinstance(data, dict) or not isinstance(data.get("credential"), dict):
        raise VerificationFailed("malformed_body")
    return data


def passkey_name(value: Any, *, user: User) -> str:
    """A cleaned user-given name, or a numbered default."""
    name = " ".join(value.split()) if isinstance(value, str) else ""
    if not name:
        name = f"Passkey {selectors.passkeys_of(user=user).count() + 1}"
    return name[: app_settings.NAME_MAX_LENGTH]


def begin_registration(request: HttpRequest) -> dict[str, Any]:
    """Creation options for the signed-in user, excluding their passkeys."""
    user: User = request.user
    exclude = [
        (bytes(p.credential_id), list(p.transports or []))
        for p in selectors.passkeys_of(user=user)
    ]
    return passkeys.start_registration(
        request.session,
        user_id=user.pk,
        user_handle=user.ensure_user_handle(),
        user_name=user.get_username(),
        exclude=exclude,
    )


def complete_registration(request: HttpRequest, *, body: Body) -> Passkey:
    """Verify a creation response and store it for the user who began it."""
    user: User = request.user
    try:
        ceremony = passkeys.take_ceremony(request.session, passkeys.REGISTRATION)
        if ceremony.user_id != user.pk:
            raise VerificationFailed("other_user")
        data = _payload(body)
        new = passkeys.verify_registration(data["credential"], ceremony=ceremony)
        # The database's unique constraint is the backstop; this check names it.
        if Passkey.objects.filter(credential_id=new.credential_id).exists():
            raise VerificationFailed("credential_in_use")
        try:
            return services.register_passkey(
                request=request,
                user=user,
                credential=new,
                name=passkey_name(data.get("name"), user=user),
            )
        except IntegrityError as exc:
            raise VerificationFailed("credential_in_use") from exc
    except VerificationFailed as failure:
        services.record_passkey_failure(
            request=request,
            event_type=EventType.PASSKEY_REGISTRATION_FAILED,
            failure=failure.reason,
            subject=user,
        )
        raise


def begin_authentication(request: HttpRequest) -> dict[str, Any]:
    """Request options for a discoverable credential (sign-in or re-auth)."""
    return passkeys.start_authentication(request.session)


def _owns(passkey: Passkey, user_handle: bytes | None) -> bool:
    stored = passkey.user.webauthn_user_handle
    return bool(user_handle and stored) and constant_time_compare(
        user_handle, bytes(stored)
    )


def complete_authentication(
    request: HttpRequest, *, body: Body, safe_next: Callable[[Any], str | None]
) -> AuthenticationResult:
    """Verify an assertion; sign its owner in, or re-authenticate them.

    A signed-in session may only re-authenticate as its own user. Sign count,
    backup state and last use change only once every check has passed.
    ``safe_next`` turns the body's ``next`` into a safe redirect, or None.
    """
    subject: User | None = None
    credential_id: bytes | None = None
    try:
        ceremony = passkeys.take_ceremony(request.session, passkeys.AUTHENTICATION)
        data = _payload(body)
        credential = data["credential"]
        redirect_url = safe_next(data.get("next"))
        claim = passkeys.read_assertion(credential)
        credential_id = claim.credential_id
        with transaction.atomic():
            passkey = selectors.passkey_by_credential_id(credential_id=credential_id)
            if passkey is None:
                raise VerificationFailed("unknown_credential")
            subject = passkey.user
            if not _owns(passkey, claim.user_handle):
                raise VerificationFailed("user_handle_mismatch")
            if not passkey.user.is_active:
                raise VerificationFailed("inactive_user")
            signed_in = request.user.is_authenticated
            if signed_in and request.user.pk != passkey.user_id:
                raise VerificationFailed("other_user")
            verified = passkeys.verify_assertion(
                credential,
                ceremony=ceremony,
                public_key=bytes(passkey.public_key),
                sign_count=passkey.sign_count,
            )
            if verified.backup_eligible != passkey.backup_eligible:
                # BE never changes for a credential (WebAuthn L3 §7.2 step 19).
                raise VerificationFailed("backup_eligibility_changed")
            if signed_in:
                services.reauthenticate_with_passkey(
                    request=request, passkey=passkey, verified=verified
                )
                return AuthenticationResult(
                    redirect_url=redirect_url or "", reauthenticated=True
                )
            response = services.sign_in_with_passkey(
                request=request,
                passkey=passkey,
                verified=verified,
                redirect_url=redirect_url,
            )
            return AuthenticationResult(
                redirect_url=response.get("Location", "") or redirect_url or "/",
                reauthenticated=False,
            )
    except SignCountRegressed as failure:
        services.record_passkey_failure(
            request=request,
            event_type=EventType.PASSKEY_CLONE_SUSPECTED,
            failure=failure.reason,
            subject=subject,
            credential_id=credential_id,
            extra={"stored_sign_count": failure.stored, "sign_count": failure.received},
        )
        raise
    except VerificationFailed as failure:
        services.record_passkey_failure(
            request=request,
            event_type=EventType.PASSKEY_LOGIN_FAILED,
            failure=failure.reason,
            subject=subject,
            credential_id=credential_id,
        )
        raise
