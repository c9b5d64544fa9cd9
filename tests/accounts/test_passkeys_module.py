"""accounts/passkeys.py: the one owner of py_webauthn, and its ceremony state."""

import logging
import re
from pathlib import Path

import pytest
from django.test import Client

from accounts import passkeys
from tests.accounts.authenticator import unb64url
from tests.accounts.conftest import (
    LOGIN_OPTIONS,
    LOGIN_VERIFY,
    REGISTER_OPTIONS,
    passkey_login,
    post_json,
    reauthenticate,
)
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_only_accounts_passkeys_imports_webauthn():
    importers = sorted(
        str(path.relative_to(ROOT))
        for folder in ("accounts", "sessions_audit", "project")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"^\s*(from|import)\s+webauthn\b", path.read_text(), re.M)
    )
    assert importers == ["accounts/passkeys.py"]


def test_challenges_are_64_random_bytes_and_never_repeat(alice):
    client = sign_in(Client(), "alice")
    reauthenticate(client)
    seen = set()
    for url in [LOGIN_OPTIONS, REGISTER_OPTIONS] * 20:
        challenge = unb64url(post_json(client, url).json()["challenge"])
        assert len(challenge) == 64
        seen.add(challenge)
    assert len(seen) == 40


def test_ceremony_state_is_one_key_and_holds_no_raw_bytes(alice):
    client = sign_in(Client(), "alice")
    reauthenticate(client)
    post_json(client, REGISTER_OPTIONS)
    state = client.session[passkeys.CEREMONY_SESSION_KEY]
    assert set(state) == {"type", "challenge", "expires_at", "user_id"}
    assert (state["type"], state["user_id"]) == ("registration", alice.pk)
    post_json(client, LOGIN_OPTIONS)
    state = client.session[passkeys.CEREMONY_SESSION_KEY]
    assert (state["type"], state["user_id"]) == ("authentication", None)


def test_wrong_ceremony_is_consumed_too(alice):
    client = sign_in(Client(), "alice")
    reauthenticate(client)
    post_json(client, REGISTER_OPTIONS)
    session = client.session
    with pytest.raises(passkeys.VerificationFailed) as failure:
        passkeys.take_ceremony(session, passkeys.AUTHENTICATION)
    assert failure.value.reason == "wrong_ceremony"
    assert passkeys.CEREMONY_SESSION_KEY not in session


def test_no_secret_reaches_the_logs(enrolled, caplog):
    caplog.set_level(logging.DEBUG)
    client = Client()
    options = post_json(client, LOGIN_OPTIONS).json()
    credential = enrolled.get(options, origin="https://evil.example")
    post_json(client, LOGIN_VERIFY, {"credential": credential})
    assert passkey_login(client, enrolled).status_code == 200
    text = caplog.text
    assert options["challenge"] not in text
    assert credential["response"]["signature"] not in text
    assert "Unexpected client data origin" not in text
