"""Reads for the passkey pages, the API and the ceremonies."""

import time

from allauth.account import app_settings as allauth_settings
from allauth.account.internal.flows.login import get_authentication_records
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Passkey

# A re-authentication by either way in counts; allauth's own check
# (did_recently_reauthenticate) knows nothing of passkeys and nothing at all
# for a user without a usable password.
REAUTHENTICATION_METHODS = {"password", "passkey"}


def passkeys_of(*, user: AbstractBaseUser) -> QuerySet[Passkey]:
    """The user's passkeys, oldest first."""
    return Passkey.objects.filter(user=user).order_by("created_at", "id")


def passkey_by_credential_id(*, credential_id: bytes) -> Passkey | None:
    """The passkey with this credential id (any user), locked for update."""
    return (
        Passkey.objects.select_for_update()
        .select_related("user")
        .filter(credential_id=credential_id)
        .first()
    )


def recently_reauthenticated(request: HttpRequest) -> bool:
    """Did this session's user re-authenticate within the allowed window?

    Reads allauth's authentication records (server side, in the session):
    the password re-authentication page and a passkey re-authentication both
    write one with ``reauthenticated=True``. A sign-in alone does not count.
    """
    user = request.user
    if not user.is_authenticated:
        return False
    window = allauth_settings.REAUTHENTICATION_TIMEOUT
    return any(
        record.get("reauthenticated")
        and record.get("method") in REAUTHENTICATION_METHODS
        and time.time() - float(record.get("at") or 0) < window
        for record in get_authentication_records(request, user)
    )
