"""Passkey sign-in through /api/passkeys/login/...: real signatures throughout."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.models import Passkey
from sessions_audit.models import Event, EventType, UserSession
from tests.accounts.authenticator import SoftAuthenticator, b64url, unb64url
from tests.accounts.conftest import (
    LOGIN_VERIFY,
    login_options,
    passkey_login,
    post_json,
    reauthenticate,
    register,
)
from tests.helpers import cached, events, is_signed_in, sid, sign_in

pytestmark = pytest.mark.django_db

FAILED = {
    "code": "passkey_verification_failed",
    "detail": "Passkey verification failed.",
}


def _row(passkey: Passkey) -> tuple:
    passkey.refresh_from_db()
    return (passkey.sign_count, passkey.backup_state, passkey.last_used_at)


def assert_refused(client, response, failure, *, event=EventType.PASSKEY_LOGIN_FAILED):
    """4xx with the generic body, nobody signed in, exactly one audit event."""
    assert response.status_code == 400, response.content
    assert response.json() == FAILED
    assert not is_signed_in(client)
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie is not None:
        assert not UserSession.objects.filter(session_key=cookie.value).exists()
    failed = Event.objects.filter(event_type=event)
    assert failed.count() == 1
    assert failed.get().data["failure"] == failure


def test_sign_in_rotates_key_registers_session_and_records_passkey(enrolled, alice):
    client = Client()
    options = login_options(client)
    pre_auth_key = sid(client)
    passkey = Passkey.objects.get(user=alice)
    response = post_json(
        client, LOGIN_VERIFY, {"credential": enrolled.get(options), "next": "/x/"}
    )

    assert response.status_code == 200
    assert response.json() == {"reauthenticated": False, "redirect": "/x/"}
    assert "no-store" in response["Cache-Control"]
    assert sid(client) != pre_auth_key
    assert not Session.objects.filter(session_key=pre_auth_key).exists()
    assert cached(pre_auth_key) is None
    row = UserSession.objects.get(session_key=sid(client))
    assert (row.user, row.method, row.passkey) == (alice, "passkey", passkey)
    event = Event.objects.filter(event_type=EventType.LOGIN_SUCCEEDED).latest("id")
    assert (event.subject, event.method, event.session_ref) == (
        alice,
        "passkey",
        row.ref,
    )
    passkey.refresh_from_db()
    assert passkey.sign_count == enrolled.sign_count == 1
    assert passkey.last_used_at is not None
    assert is_signed_in(client)


def test_sign_in_ignores_an_offsite_next(enrolled):
    client = Client()
    credential = enrolled.get(login_options(client))
    response = post_json(
        client,
        LOGIN_VERIFY,
        {"credential": credential, "next": "https://evil.example/"},
    )
    assert response.json()["redirect"] == "/"


def test_options_are_discoverable_and_reveal_no_account(enrolled):
    options = login_options(Client())
    assert options["allowCredentials"] == []
    assert options["userVerification"] == "required"
    assert options["rpId"] == "localhost"
    assert options["timeout"] == 300_000
    assert len(unb64url(options["challenge"])) == 64


def test_backup_state_is_updated_after_a_valid_assertion(alice):
    authenticator = SoftAuthenticator(backup_eligible=True, backup_state=False)
    client = sign_in(Client(), "alice")
    reauthenticate(client)
    assert register(client, authenticator).status_code == 201
    passkey = Passkey.objects.get(user=alice)
    assert (passkey.backup_eligible, passkey.backup_state) == (True, False)

    assert passkey_login(Client(), authenticator, bs=True).status_code == 200
    passkey.refresh_from_db()
    assert passkey.backup_state is True


@pytest.mark.parametrize(
    ("bend", "failure"),
    [
        ({"origin": "https://evil.example"}, "invalid_assertion"),
        ({"origin": "http://localhost:8001"}, "invalid_assertion"),
        ({"origin": "https://localhost:8000"}, "invalid_assertion"),
        ({"origin": "http://sub.localhost:8000"}, "invalid_assertion"),
        ({"rp_id": "evil.example"}, "invalid_assertion"),
        ({"type_": "webauthn.create"}, "invalid_assertion"),
        ({"challenge": b"\x00" * 64}, "invalid_assertion"),
        ({"uv": False}, "invalid_assertion"),
        ({"up": False}, "invalid_assertion"),
        ({"cross_origin": True}, "cross_origin"),
        ({"top_origin": "https://evil.example"}, "cross_origin"),
        ({"user_handle": None}, "user_handle_mismatch"),
        ({"user_handle": b"\x01" * 64}, "user_handle_mismatch"),
        ({"credential_id": b"\x02" * 32}, "unknown_credential"),
        ({"be": True, "bs": True}, "backup_eligibility_changed"),
    ],
)
def test_bent_assertion_is_refused_and_changes_nothing(enrolled, alice, bend, failure):
    passkey = Passkey.objects.get(user=alice)
    before = _row(passkey)
    client = Client()
    response = passkey_login(client, enrolled, **bend)
    assert_refused(client, response, failure)
    assert _row(passkey) == before


def test_flipped_signature_byte_is_refused(enrolled, alice):
    passkey = Passkey.objects.get(user=alice)
    before = _row(passkey)
    client = Client()
    credential = enrolled.get(login_options(client))
    signature = bytearray(unb64url(credential["response"]["signature"]))
    signature[-1] ^= 0x01
    credential["response"]["signature"] = b64url(bytes(signature))
    response = post_json(client, LOGIN_VERIFY, {"credential": credential})
    assert_refused(client, response, "invalid_assertion")
    assert _row(passkey) == before


def test_truncated_authenticator_data_is_refused(enrolled, alice):
    passkey = Passkey.objects.get(user=alice)
    before = _row(passkey)
    client = Client()
    credential = enrolled.get(login_options(client))
    data = unb64url(credential["response"]["authenticatorData"])
    credential["response"]["authenticatorData"] = b64url(data[:20])
    response = post_json(client, LOGIN_VERIFY, {"credential": credential})
    assert_refused(client, response, "invalid_assertion")
    assert _row(passkey) == before


def test_another_users_credential_with_own_handle_is_refused(enrolled, alice, bob):
    bobs = SoftAuthenticator()
    bob_client = sign_in(Client(), "bob")
    reauthenticate(bob_client)
    assert register(bob_client, bobs).status_code == 201
    # Bob's credential presented under Alice's user handle.
    bobs.user_handle = enrolled.user_handle
    client = Client()
    response = passkey_login(client, bobs)
    assert_refused(client, response, "user_handle_mismatch")
    assert Event.objects.get(event_type=EventType.PASSKEY_LOGIN_FAILED).subject == bob


def test_replayed_challenge_is_refused(enrolled):
    client = Client()
    credential = enrolled.get(login_options(client))
    assert (
        post_json(client, LOGIN_VERIFY, {"credential": credential}).status_code == 200
    )
    client.post("/accounts/logout/")
    before = UserSession.objects.count()
    response = post_json(client, LOGIN_VERIFY, {"credential": credential})
    assert response.status_code == 400
    assert response.json() == FAILED
    assert not is_signed_in(client)
    assert UserSession.objects.count() == before
    failed = Event.objects.get(event_type=EventType.PASSKEY_LOGIN_FAILED)
    assert failed.data["failure"] == "no_challenge"


def test_challenge_is_consumed_by_a_failed_attempt(enrolled):
    client = Client()
    options = login_options(client)
    bad = enrolled.get(options, origin="https://evil.example", sign_count=5)
    assert post_json(client, LOGIN_VERIFY, {"credential": bad}).status_code == 400
    good = enrolled.get(options)
    response = post_json(client, LOGIN_VERIFY, {"credential": good})
    assert response.status_code == 400
    assert not is_signed_in(client)
    failures = Event.objects.filter(event_type=EventType.PASSKEY_LOGIN_FAILED)
    assert [e.data["failure"] for e in failures.order_by("id")] == [
        "invalid_assertion",
        "no_challenge",
    ]


def test_expired_challenge_is_refused(enrolled, alice):
    passkey = Passkey.objects.get(user=alice)
    before = _row(passkey)
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        options = login_options(client)
        clock.shift(timedelta(minutes=5, seconds=1))
        response = post_json(
            client, LOGIN_VERIFY, {"credential": enrolled.get(options)}
        )
    assert_refused(client, response, "challenge_expired")
    assert _row(passkey) == before


def test_challenge_just_inside_five_minutes_works(enrolled):
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        options = login_options(client)
        clock.shift(timedelta(minutes=4, seconds=59))
        response = post_json(
            client, LOGIN_VERIFY, {"credential": enrolled.get(options)}
        )
    assert response.status_code == 200


def test_registration_challenge_cannot_sign_in(enrolled, alice):
    client = sign_in(Client(), "alice")
    reauthenticate(client)
    options = post_json(client, "/api/passkeys/register/options/").json()
    client.post("/accounts/logout/")
    # The session is flushed at sign-out; a fresh anonymous one has no ceremony.
    credential = enrolled.get({"challenge": options["challenge"]})
    response = post_json(client, LOGIN_VERIFY, {"credential": credential})
    assert response.status_code == 400


def test_sign_count_regression_is_refused_and_audited_as_clone(enrolled, alice):
    assert passkey_login(Client(), enrolled, sign_count=10).status_code == 200
    passkey = Passkey.objects.get(user=alice)
    before = _row(passkey)
    client = Client()
    response = passkey_login(client, enrolled, sign_count=5)
    assert response.status_code == 400
    assert response.json() == FAILED
    assert not is_signed_in(client)
    clone = Event.objects.get(event_type=EventType.PASSKEY_CLONE_SUSPECTED)
    assert clone.subject == alice
    assert clone.data["stored_sign_count"] == 10
    assert clone.data["sign_count"] == 5
    assert clone.data["passkey"] == passkey.ref
    assert not Event.objects.filter(event_type=EventType.PASSKEY_LOGIN_FAILED).exists()
    assert _row(passkey) == before


def test_forged_assertion_with_regressed_count_raises_no_clone_alarm(enrolled, alice):
    assert passkey_login(Client(), enrolled, sign_count=10).status_code == 200
    client = Client()
    credential = enrolled.get(login_options(client), sign_count=5)
    signature = bytearray(unb64url(credential["response"]["signature"]))
    signature[-1] ^= 0x01
    credential["response"]["signature"] = b64url(bytes(signature))
    response = post_json(client, LOGIN_VERIFY, {"credential": credential})
    assert_refused(client, response, "invalid_assertion")
    assert not Event.objects.filter(
        event_type=EventType.PASSKEY_CLONE_SUSPECTED
    ).exists()


def test_zero_sign_counts_pass(enrolled):
    # Synced passkeys often never count: stored 0, received 0 is fine.
    assert passkey_login(Client(), enrolled, sign_count=0).status_code == 200
    assert passkey_login(Client(), enrolled, sign_count=0).status_code == 200


@pytest.mark.parametrize(
    ("body", "failure"),
    [
        (b"{not json", "malformed_body"),
        (b"[]", "malformed_body"),
        (b'{"credential": "x"}', "malformed_body"),
        (b'{"credential": {}}', "malformed_response"),
        (
            b'{"credential": {"id": "AA", "rawId": "AA", "response": 7}}',
            "malformed_response",
        ),
    ],
)
def test_malformed_body_is_a_generic_400(enrolled, body, failure):
    client = Client()
    login_options(client)
    response = client.post(LOGIN_VERIFY, body, content_type="application/json")
    assert_refused(client, response, failure)


def test_several_megabyte_body_is_refused_without_parsing(enrolled):
    client = Client()
    login_options(client)
    body = b'{"credential": {"id": "' + b"A" * (4 * 1024 * 1024) + b'"}}'
    response = client.post(LOGIN_VERIFY, body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not is_signed_in(client)
    failed = Event.objects.get(event_type=EventType.PASSKEY_LOGIN_FAILED)
    assert failed.data["failure"] == "body_too_large"


def test_inactive_user_cannot_sign_in_with_a_valid_passkey(enrolled, alice):
    alice.refresh_from_db()
    alice.is_active = False
    alice.save()
    client = Client()
    assert_refused(client, passkey_login(client, enrolled), "inactive_user")


def test_failure_events_never_hold_the_challenge_or_signature(enrolled):
    client = Client()
    options = login_options(client)
    credential = enrolled.get(options, origin="https://evil.example")
    post_json(client, LOGIN_VERIFY, {"credential": credential})
    event = Event.objects.get(event_type=EventType.PASSKEY_LOGIN_FAILED)
    text = repr(event.data) + event.reason + event.session_ref
    assert options["challenge"] not in text
    assert credential["response"]["signature"] not in text
    assert credential["id"] not in text


def test_registration_and_sign_in_events_in_order(enrolled):
    passkey_login(Client(), enrolled)
    assert events(method="passkey") == [
        "passkey_registered",
        "login_succeeded",
        "session_created",
    ]
