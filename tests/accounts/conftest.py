import json

import pytest
from django.test import Client

from tests.accounts.authenticator import SoftAuthenticator
from tests.helpers import PASSWORD, sign_in

REGISTER_OPTIONS = "/api/passkeys/register/options/"
REGISTER_VERIFY = "/api/passkeys/register/verify/"
LOGIN_OPTIONS = "/api/passkeys/login/options/"
LOGIN_VERIFY = "/api/passkeys/login/verify/"


def post_json(client: Client, url: str, body=None, **extra):
    return client.post(
        url, json.dumps(body or {}), content_type="application/json", **extra
    )


def reauthenticate(client: Client, password: str = PASSWORD) -> None:
    response = client.post("/accounts/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content[:300]


def register(client: Client, authenticator: SoftAuthenticator, name="Laptop", **bend):
    """Run a registration ceremony; returns the verify response."""
    options = post_json(client, REGISTER_OPTIONS)
    assert options.status_code == 200, options.content
    credential = authenticator.create(options.json(), **bend)
    return post_json(client, REGISTER_VERIFY, {"credential": credential, "name": name})


def login_options(client: Client) -> dict:
    response = post_json(client, LOGIN_OPTIONS)
    assert response.status_code == 200, response.content
    return response.json()


def passkey_login(client: Client, authenticator: SoftAuthenticator, **bend):
    """Run a sign-in ceremony; returns the verify response."""
    credential = authenticator.get(login_options(client), **bend)
    return post_json(client, LOGIN_VERIFY, {"credential": credential})


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # These tests sign in and re-authenticate a lot; the hasher is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def authenticator() -> SoftAuthenticator:
    return SoftAuthenticator()


@pytest.fixture
def enrolled(alice, authenticator):
    """Alice with one registered passkey (through the real API), signed out."""
    client = sign_in(Client(), "alice")
    reauthenticate(client)
    response = register(client, authenticator)
    assert response.status_code == 201, response.content
    return authenticator
