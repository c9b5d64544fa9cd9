"""WebAuthn, through py_webauthn. The only module that imports ``webauthn``.

It builds ceremony options, keeps the ceremony state in the server-side
session under one key, and verifies responses. It knows nothing about the
database or the audit log: accounts/services.py does that with what it returns.
Every failure, whatever the library raised, leaves as ``VerificationFailed``
with a short stable reason for the audit log; the library's own message is
never passed on.
"""

import base64
import binascii
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
)
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .app_settings import app_settings
from .models import MAX_CREDENTIAL_ID_BYTES

logger = logging.getLogger(__name__)

# One key for the state of whichever ceremony is under way in this session.
CEREMONY_SESSION_KEY = "accounts.passkeys.ceremony"
REGISTRATION = "registration"
AUTHENTICATION = "authentication"

# Offered in the options and enforced at verification: the same list.
ALGORITHMS = [
    COSEAlgorithmIdentifier.ECDSA_SHA_256,  # ES256
    COSEAlgorithmIdentifier.EDDSA,  # EdDSA
    COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256,  # RS256
]
_TRANSPORTS = {transport.value for transport in AuthenticatorTransport}


class VerificationFailed(Exception):
    """A ceremony failed. ``reason`` is a stable code for the audit log only."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class SignCountRegressed(VerificationFailed):
    """A correctly signed assertion whose counter went backwards: a clone?"""

    def __init__(self, *, stored: int, received: int):
        super().__init__("sign_count_regressed")
        self.stored = stored
        self.received = received


@dataclass(frozen=True)
class Ceremony:
    kind: str
    challenge: bytes
    user_id: int | None


@dataclass(frozen=True)
class NewCredential:
    credential_id: bytes
    public_key: bytes
    sign_count: int
    transports: list[str]
    aaguid: str
    backup_eligible: bool
    backup_state: bool


@dataclass(frozen=True)
class AssertionClaim:
    """What an assertion says about itself, read before it is verified."""

    credential_id: bytes
    user_handle: bytes | None


@dataclass(frozen=True)
class VerifiedAssertion:
    sign_count: int
    backup_eligible: bool
    backup_state: bool


def _options_dict(options) -> dict[str, Any]:
    return json.loads(options_to_json(options))


def _timeout_ms() -> int:
    return app_settings.CEREMONY_SECONDS * 1000


def _descriptor(credential_id: bytes, transports: list[str]):
    return PublicKeyCredentialDescriptor(
        id=credential_id,
        transports=[AuthenticatorTransport(t) for t in transports if t in _TRANSPORTS],
    )


def _store(session: SessionBase, *, kind: str, challenge: bytes, user_id=None):
    session[CEREMONY_SESSION_KEY] = {
        "type": kind,
        "challenge": bytes_to_base64url(challenge),
        "expires_at": time.time() + app_settings.CEREMONY_SECONDS,
        "user_id": user_id,
    }


def start_registration(
    session: SessionBase,
    *,
    user_id: int,
    user_handle: bytes,
    user_name: str,
    exclude: list[tuple[bytes, list[str]]],
) -> dict[str, Any]:
    """Return creation options for ``navigator.credentials.create()``.

    The state remembers which user started the ceremony: the credential is
    stored for that user, never for one named in the response.
    """
    options = generate_registration_options(
        rp_id=app_settings.RP_ID,
        rp_name=app_settings.RP_NAME,
        user_id=user_handle,
        user_name=user_name,
        user_display_name=user_name,
        timeout=_timeout_ms(),
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[_descriptor(cid, tr) for cid, tr in exclude],
        supported_pub_key_algs=ALGORITHMS,
    )
    _store(session, kind=REGISTRATION, challenge=options.challenge, user_id=user_id)
    return _options_dict(options)


def start_authentication(session: SessionBase) -> dict[str, Any]:
    """Return request options for a discoverable (usernameless) credential.

    ``allowCredentials`` stays empty, so the options reveal no account.
    """
    options = generate_authentication_options(
        rp_id=app_settings.RP_ID,
        timeout=_timeout_ms(),
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    _store(session, kind=AUTHENTICATION, challenge=options.challenge)
    return _options_dict(options)


def take_ceremony(session: SessionBase, kind: str) -> Ceremony:
    """Remove the ceremony state and return it if it is ``kind`` and unexpired.

    It is removed whatever the outcome, so each challenge is tried at most once.
    """
    state = session.pop(CEREMONY_SESSION_KEY, None)
    if not isinstance(state, dict):
        raise VerificationFailed("no_challenge")
    if state.get("type") != kind:
        raise VerificationFailed("wrong_ceremony")
    if not time.time() < float(state.get("expires_at") or 0):
        raise VerificationFailed("challenge_expired")
    try:
        challenge = base64url_to_bytes(state["challenge"])
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise VerificationFailed("no_challenge") from exc
    return Ceremony(kind=kind, challenge=challenge, user_id=state.get("user_id"))


def _b64url_decode(value: Any) -> bytes:
    if not isinstance(value, str):
        raise VerificationFailed("malformed_response")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise VerificationFailed("malformed_response") from exc


def _refuse_cross_origin(credential: dict[str, Any]) -> None:
    # py_webauthn does not look at these; a ceremony run inside a foreign
    # frame is refused (WebAuthn L3 §7.1 step 10, §7.2 step 13).
    response = credential.get("response")
    if not isinstance(response, dict):
        raise VerificationFailed("malformed_response")
    try:
        client_data = json.loads(_b64url_decode(response.get("clientDataJSON")))
    except (ValueError, UnicodeDecodeError) as exc:
        raise VerificationFailed("malformed_response") from exc
    if not isinstance(client_data, dict):
        raise VerificationFailed("malformed_response")
    if client_data.get("crossOrigin") not in (None, False) or (
        "topOrigin" in client_data
    ):
        raise VerificationFailed("cross_origin")


def _transports(credential: dict[str, Any]) -> list[str]:
    values = (credential.get("response") or {}).get("transports") or []
    if not isinstance(values, list):
        return []
    return sorted({v for v in values if isinstance(v, str) and v in _TRANSPORTS})


def verify_registration(credential: Any, *, ceremony: Ceremony) -> NewCredential:
    """Verify a ``navigator.credentials.create()`` response (attestation none).

    Exact origins, constant RP ID, user verification, the offered algorithms.
    """
    if not isinstance(credential, dict):
        raise VerificationFailed("malformed_response")
    _refuse_cross_origin(credential)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=ceremony.challenge,
            expected_rp_id=app_settings.RP_ID,
            expected_origin=app_settings.ALLOWED_ORIGINS,
            require_user_verification=True,
            supported_pub_key_algs=ALGORITHMS,
        )
    except Exception as exc:
        raise _failure(exc, "invalid_registration") from exc
    if len(verified.credential_id) > MAX_CREDENTIAL_ID_BYTES:
        raise VerificationFailed("credential_id_too_long")
    return NewCredential(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=_transports(credential),
        aaguid=verified.aaguid,
        backup_eligible=(
            verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE
        ),
        backup_state=verified.credential_backed_up,
    )


def read_assertion(credential: Any) -> AssertionClaim:
    """Parse an assertion far enough to find its credential and user handle."""
    if not isinstance(credential, dict):
        raise VerificationFailed("malformed_response")
    try:
        parsed = parse_authentication_credential_json(credential)
    except Exception as exc:
        raise _failure(exc, "malformed_response") from exc
    if len(parsed.raw_id) > MAX_CREDENTIAL_ID_BYTES:
        raise VerificationFailed("unknown_credential")
    return AssertionClaim(
        credential_id=parsed.raw_id, user_handle=parsed.response.user_handle or None
    )


def verify_assertion(
    credential: dict[str, Any],
    *,
    ceremony: Ceremony,
    public_key: bytes,
    sign_count: int,
) -> VerifiedAssertion:
    """Verify a ``navigator.credentials.get()`` response against a stored key.

    py_webauthn compares the sign count before it checks the signature, so a
    counter failure is re-checked with the counter ignored: only a correctly
    signed assertion raises ``SignCountRegressed`` (a forgery stays a plain
    failure and sounds no clone alarm).
    """
    _refuse_cross_origin(credential)

    def verify(current: int):
        return verify_authentication_response(
            credential=credential,
            expected_challenge=ceremony.challenge,
            expected_rp_id=app_settings.RP_ID,
            expected_origin=app_settings.ALLOWED_ORIGINS,
            credential_public_key=public_key,
            credential_current_sign_count=current,
            require_user_verification=True,
        )

    try:
        verified = verify(sign_count)
    except Exception as exc:
        if sign_count > 0:
            try:
                regressed = verify(0)
            except Exception:
                regressed = None
            if regressed is not None:
                raise SignCountRegressed(
                    stored=sign_count, received=regressed.new_sign_count
                ) from exc
        raise _failure(exc, "invalid_assertion") from exc
    return VerifiedAssertion(
        sign_count=verified.new_sign_count,
        backup_eligible=(
            verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE
        ),
        backup_state=verified.credential_backed_up,
    )


def _failure(exc: Exception, reason: str) -> VerificationFailed:
    if isinstance(exc, VerificationFailed):
        return exc
    if not isinstance(exc, WebAuthnException):
        # Malformed input can surface as a plain ValueError, KeyError or a
        # cbor2 error from inside the library: still the client's fault.
        logger.info("Passkey response rejected: %s", type(exc).__name__)
    return VerificationFailed(reason)


def encode(value: bytes) -> str:
    """base64url without padding, as WebAuthn's JSON uses."""
    return bytes_to_base64url(value)
