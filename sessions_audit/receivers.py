"""Signal receivers: each translates a signal into one service call."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from . import services
from .models import Method

# allauth records how the user authenticated before it calls login().
_ALLAUTH_METHODS = "account_authentication_methods"
_METHODS = {"password": Method.PASSWORD, "passkey": Method.PASSKEY}


def _login_method(request: HttpRequest) -> str:
    records = request.session.get(_ALLAUTH_METHODS) or []
    if records:
        return _METHODS.get(records[-1].get("method"), Method.OTHER)
    return Method.OTHER


def _login_passkey_id(request: HttpRequest) -> int | None:
    # accounts.services records the passkey's id with the "passkey" method.
    records = request.session.get(_ALLAUTH_METHODS) or []
    if records and records[-1].get("method") == "passkey":
        passkey_id = records[-1].get("passkey_id")
        return passkey_id if isinstance(passkey_id, int) else None
    return None


def on_user_logged_in(sender, request: HttpRequest, user: AbstractBaseUser, **kwargs):
    """Register the new session and audit the sign-in."""
    if request is None or not hasattr(request, "session"):
        return
    services.register_session(
        request=request,
        user=user,
        method=_login_method(request),
        passkey_id=_login_passkey_id(request),
    )


def on_user_logged_out(
    sender, request: HttpRequest, user: AbstractBaseUser | None, **kwargs
):
    """Audit the sign-out and drop the registry row (before the session is flushed)."""
    if user is None or request is None:
        return
    services.end_session_at_logout(request=request, user=user)


def on_user_login_failed(
    sender, credentials: dict, request: HttpRequest | None = None, **kwargs
):
    """Audit a failed password sign-in (Django has already masked the password)."""
    username = credentials.get("username") or credentials.get("email") or ""
    services.record_login_failure(request=request, username=str(username))
