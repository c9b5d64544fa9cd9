from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.core.cache import caches
from django.test import Client

from sessions_audit.models import Event

PASSWORD = "correct-horse-battery-9"


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra) -> Client:
    """Sign in through allauth's login page, as a browser would."""
    response = client.post(
        "/accounts/login/", {"login": username, "password": password}, **extra
    )
    assert response.status_code == 302, response.content[:500]
    return client


def sid(client: Client) -> str:
    """The session-cookie value a client holds."""
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def cached(session_key: str):
    """The session data cached_db keeps in the session cache, or None."""
    return caches[settings.SESSION_CACHE_ALIAS].get(KEY_PREFIX + session_key)


def events(**filters) -> list[str]:
    return list(
        Event.objects.filter(**filters)
        .order_by("id")
        .values_list("event_type", flat=True)
    )


def is_signed_in(client: Client) -> bool:
    response = client.get("/account/devices/")
    return response.status_code == 200


def auditors_group():
    """The Auditors group (made by its migration, kept by a post_migrate receiver)."""
    from django.contrib.auth.models import Group

    from sessions_audit.groups import AUDITORS

    return Group.objects.get(name=AUDITORS)


def reauthenticate(client: Client, password: str = PASSWORD) -> Client:
    """Re-enter the password on allauth's re-authentication page."""
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content[:500]
    return client
