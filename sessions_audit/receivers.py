"""Signal receivers: each translates a signal into one service call."""

from allauth.core import context as allauth_context
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from . import account_changes, lifecycle, services
from .adapter import ALLAUTH_PASSWORD_FLOW
from .models import Method, UserSession

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
    """Register the new session and audit the sign-in.

    The row becomes the request's ``user_session`` at once, so the rest of the
    sign-in request (an API response, a re-auth check) sees the new session.
    """
    if request is None or not hasattr(request, "session"):
        return
    request.user_session = services.register_session(
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


def _current_request() -> HttpRequest | None:
    # allauth's middleware keeps the request of the running thread/task; the
    # model signals below have no other way to know who made the change.
    return allauth_context.request


def _actor(request: HttpRequest | None) -> AbstractBaseUser | None:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def on_password_changed(sender, request: HttpRequest, user: AbstractBaseUser, **kw):
    """allauth's password change (or first set): end the other sessions.

    allauth has already called ``update_session_auth_hash``, so the current
    session carries a new key and its registry row followed it.
    """
    account_changes.end_sessions_after_password_change(
        user=user,
        actor=user,
        keep=UserSession.objects.filter(
            session_key=request.session.session_key, user=user
        ).first(),
        request=request,
    )


def on_password_reset(sender, request: HttpRequest, user: AbstractBaseUser, **kw):
    """allauth's password reset: end every session of the account."""
    account_changes.end_sessions_after_password_reset(user=user, request=request)


def on_authentication_step_completed(
    sender, request: HttpRequest, user: AbstractBaseUser, method: str, **kwargs
):
    """An allauth re-authentication (password, or a passkey): restart the timers."""
    if kwargs.get("reauthenticated"):
        passkey_id = kwargs.get("passkey_id")
        lifecycle.record_reauthentication(
            request=request,
            user=user,
            method=method,
            data={"passkey_id": passkey_id} if passkey_id is not None else None,
        )


_WATCHED_FIELDS = {"password", "is_active", "is_staff", "is_superuser"}


def on_user_pre_save(sender, instance: AbstractBaseUser, update_fields=None, **kw):
    """Remember what a save is about to change that must end sessions.

    One mechanism for every path (admin forms, the shell, any view): the
    model's own save. A password counts as changed when ``set_password`` ran
    (``_password`` holds the new raw value until the save) or the password
    became unusable; Django's silent re-hash on sign-in (a hasher upgrade) sets
    neither, so it ends nothing. Saves that name other fields (``last_login``)
    cost no query.
    """
    if instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not (_WATCHED_FIELDS & set(update_fields)):
        return
    before = (
        sender.objects.filter(pk=instance.pk)
        .values("password", "is_active", "is_staff", "is_superuser")
        .first()
    )
    if before is None:
        return
    changes: set[str] = set()
    password_set = getattr(instance, "_password", None) is not None
    # allauth's own flows are handled by its signals (see adapter.py).
    if (
        instance.password != before["password"]
        and (password_set or not instance.has_usable_password())
        and not getattr(instance, ALLAUTH_PASSWORD_FLOW, False)
    ):
        changes.add("password")
    if before["is_active"] and not instance.is_active:
        changes.add("deactivated")
    if (instance.is_staff and not before["is_staff"]) or (
        instance.is_superuser and not before["is_superuser"]
    ):
        changes.add("privilege_raised")
    instance._sessions_audit_changes = changes


def on_user_post_save(sender, instance: AbstractBaseUser, created: bool, **kwargs):
    """End the user's sessions after a password, activation or privilege change."""
    changes = instance.__dict__.pop("_sessions_audit_changes", None)
    if created or not changes:
        return
    request = _current_request()
    account_changes.end_sessions_after_account_change(
        user=instance, changes=changes, actor=_actor(request), request=request
    )
