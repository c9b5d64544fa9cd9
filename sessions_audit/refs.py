"""Keyed hashes that stand in for secrets in the audit log (principle 4)."""

import hashlib
import hmac

from django.conf import settings
from django.utils.crypto import salted_hmac

from .app_settings import app_settings


def _pepper() -> bytes:
    pepper = app_settings.SESSION_REF_PEPPER
    if pepper:
        return pepper.encode()
    # Derived, never equal to SECRET_KEY itself: a leaked ref gives nothing back.
    return salted_hmac(
        "sessions_audit.refs.pepper", "", secret=settings.SECRET_KEY, algorithm="sha256"
    ).digest()


def session_ref(session_key: str | None) -> str:
    """Return the audit reference of a session key: HMAC-SHA256, 32 hex digits.

    The same key always gives the same reference, so the events of one session
    correlate; the key cannot be recovered from it.
    """
    if not session_key:
        return ""
    digest = hmac.new(_pepper(), session_key.encode(), hashlib.sha256).hexdigest()
    return digest[:32]
