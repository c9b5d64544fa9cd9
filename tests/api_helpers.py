"""Talking to /api/ as a single-page client would: cookie, CSRF header, JSON."""

import json

from django.conf import settings
from django.test import Client

from tests.helpers import PASSWORD


def api_client() -> Client:
    """A client that enforces CSRF exactly like a browser request."""
    return Client(enforce_csrf_checks=True)


def csrf(client: Client) -> str:
    """The CSRF cookie value (priming it first if the client has none)."""
    if settings.CSRF_COOKIE_NAME not in client.cookies:
        response = client.get("/api/auth/csrf/")
        assert response.status_code == 204
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def call(client: Client, method: str, path: str, body=None, **extra):
    """One API call with the X-CSRFToken header copied from the cookie."""
    headers = {"X-CSRFToken": csrf(client), **extra.pop("headers", {})}
    kwargs = {"headers": headers, **extra}
    if method.upper() != "GET":
        # No body is an empty body, as fetch() sends it, not an empty form.
        kwargs["data"] = "" if body is None else json.dumps(body)
        kwargs["content_type"] = "application/json"
    return getattr(client, method.lower())(path, **kwargs)


def api_sign_in(client: Client, username: str, password: str = PASSWORD) -> dict:
    """Sign in through POST /api/auth/login/; return the "me" body."""
    response = call(
        client, "POST", "/api/auth/login/", {"login": username, "password": password}
    )
    assert response.status_code == 200, response.content[:500]
    return response.json()


def api_reauth(client: Client, password: str = PASSWORD) -> None:
    """Confirm the password through POST /api/auth/reauth/ (gated endpoints)."""
    response = call(client, "POST", "/api/auth/reauth/", {"password": password})
    assert response.status_code == 204, response.content[:500]
