"""Adding a passkey through /api/passkeys/register/...: real attestations."""

from datetime import timedelta

import cbor2
import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import Passkey
from sessions_audit.models import Event, EventType
from tests.accounts.authenticator import (
    EDDSA,
    ES256,
    RS256,
    SoftAuthenticator,
    b64url,
    unb64url,
)
from tests.accounts.conftest import (
    REGISTER_OPTIONS,
    REGISTER_VERIFY,
    passkey_login,
    post_json,
    reauthenticate,
    register,
)
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

FAILED = {
    "code": "passkey_verification_failed",
    "detail": "Passkey verification failed.",
}


@pytest.fixture
def client(alice):
    client = sign_in(Client(), "alice")
    reauthenticate(client)
    return client


def assert_refused(response, failure, *, status=400):
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json() == FAILED
    assert not Passkey.objects.exists()
    failed = Event.objects.filter(event_type=EventType.PASSKEY_REGISTRATION_FAILED)
    assert failed.count() == 1
    assert failed.get().data["failure"] == failure
    assert not Event.objects.filter(event_type=EventType.PASSKEY_REGISTERED).exists()


def test_options_need_a_fresh_reauthentication(alice):
    client = sign_in(Client(), "alice")
    response = post_json(client, REGISTER_OPTIONS)
    assert response.status_code == 403
    assert response.json()["code"] == "reauth_required"


def test_reauthentication_expires_after_five_minutes(alice):
    client = sign_in(Client(), "alice")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        reauthenticate(client)
        assert post_json(client, REGISTER_OPTIONS).status_code == 200
        clock.shift(timedelta(minutes=5, seconds=1))
        assert post_json(client, REGISTER_OPTIONS).status_code == 403


def test_anonymous_cannot_register():
    response = post_json(Client(), REGISTER_OPTIONS)
    assert response.status_code in (401, 403)
    assert response.json()["code"] in {"not_authenticated", "permission_denied"}


def test_options_follow_the_policy(client, alice):
    options = post_json(client, REGISTER_OPTIONS).json()
    assert options["rp"] == {"id": "localhost", "name": "Session control"}
    assert options["attestation"] == "none"
    assert options["timeout"] == 300_000
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert [p["alg"] for p in options["pubKeyCredParams"]] == [ES256, EDDSA, RS256]
    assert options["excludeCredentials"] == []
    assert len(unb64url(options["challenge"])) == 64
    handle = unb64url(options["user"]["id"])
    assert len(handle) == 64
    assert str(alice.pk).encode() != handle and b"alice" not in handle


def test_user_handle_is_reused_and_existing_passkeys_are_excluded(client, alice):
    first, second = SoftAuthenticator(), SoftAuthenticator()
    assert register(client, first).status_code == 201
    reauthenticate(client)
    assert register(client, second).status_code == 201
    options = post_json(client, REGISTER_OPTIONS).json()
    assert unb64url(options["user"]["id"]) == first.user_handle == second.user_handle
    assert sorted(c["id"] for c in options["excludeCredentials"]) == sorted(
        [b64url(first.credential_id), b64url(second.credential_id)]
    )
    assert all(c["transports"] == ["internal"] for c in options["excludeCredentials"])


@pytest.mark.parametrize("alg", [ES256, EDDSA, RS256])
def test_registration_stores_the_credential_and_audits_it(client, alice, alg):
    authenticator = SoftAuthenticator(alg=alg, aaguid=bytes(range(16)))
    response = register(client, authenticator, name="  Work   laptop ")
    assert response.status_code == 201
    passkey = Passkey.objects.get()
    assert response.json()["id"] == passkey.pk
    assert response.json()["name"] == "Work laptop"
    assert passkey.user == alice
    assert bytes(passkey.credential_id) == authenticator.credential_id
    assert passkey.transports == ["internal"]
    assert passkey.aaguid == "00010203-0405-0607-0809-0a0b0c0d0e0f"
    assert (passkey.backup_eligible, passkey.backup_state) == (False, False)
    event = Event.objects.get(event_type=EventType.PASSKEY_REGISTERED)
    assert (event.actor, event.subject, event.method) == (alice, alice, "passkey")
    assert event.data["passkey"] == passkey.ref
    assert event.data["name"] == "Work laptop"
    assert passkey_login(Client(), authenticator).status_code == 200


def test_synced_passkey_records_backup_flags(client):
    authenticator = SoftAuthenticator(backup_eligible=True, backup_state=True)
    assert register(client, authenticator).status_code == 201
    passkey = Passkey.objects.get()
    assert (passkey.backup_eligible, passkey.backup_state) == (True, True)
    assert passkey.is_synced


def test_unnamed_passkey_gets_a_numbered_name(client):
    assert register(client, SoftAuthenticator(), name="").status_code == 201
    assert Passkey.objects.get().name == "Passkey 1"


def test_credential_goes_to_the_session_user_not_one_in_the_body(client, alice, bob):
    options = post_json(client, REGISTER_OPTIONS).json()
    credential = SoftAuthenticator().create(options)
    response = post_json(
        client,
        REGISTER_VERIFY,
        {"credential": credential, "user": bob.pk, "user_id": bob.pk},
    )
    assert response.status_code == 201
    assert Passkey.objects.get().user == alice


def test_ceremony_begun_by_another_user_is_refused(alice, bob):
    client = sign_in(Client(), "alice")
    reauthenticate(client)
    options = post_json(client, REGISTER_OPTIONS).json()
    # The same browser session switches to Bob before finishing.
    session = client.session
    state = session["accounts.passkeys.ceremony"]
    client.post("/accounts/logout/")
    sign_in(client, "bob")
    reauthenticate(client)
    session = client.session
    session["accounts.passkeys.ceremony"] = state
    session.save()
    response = post_json(
        client, REGISTER_VERIFY, {"credential": SoftAuthenticator().create(options)}
    )
    assert_refused(response, "other_user")


@pytest.mark.parametrize(
    ("bend", "failure"),
    [
        ({"origin": "https://evil.example"}, "invalid_registration"),
        ({"origin": "http://localhost:8443"}, "invalid_registration"),
        ({"rp_id": "evil.example"}, "invalid_registration"),
        ({"type_": "webauthn.get"}, "invalid_registration"),
        ({"challenge": b"\x00" * 64}, "invalid_registration"),
        ({"uv": False}, "invalid_registration"),
        ({"up": False}, "invalid_registration"),
        ({"be": False, "bs": True}, "invalid_registration"),
        ({"cross_origin": True}, "cross_origin"),
        ({"top_origin": "https://evil.example"}, "cross_origin"),
    ],
)
def test_bent_attestation_is_refused(client, bend, failure):
    assert_refused(register(client, SoftAuthenticator(), **bend), failure)


def test_truncated_cbor_is_refused(client):
    options = post_json(client, REGISTER_OPTIONS).json()
    credential = SoftAuthenticator().create(options)
    attestation = unb64url(credential["response"]["attestationObject"])
    credential["response"]["attestationObject"] = b64url(attestation[:-30])
    response = post_json(client, REGISTER_VERIFY, {"credential": credential})
    assert_refused(response, "invalid_registration")


def test_cbor_that_is_not_a_map_is_refused(client):
    options = post_json(client, REGISTER_OPTIONS).json()
    credential = SoftAuthenticator().create(options)
    credential["response"]["attestationObject"] = b64url(cbor2.dumps([1, 2, 3]))
    response = post_json(client, REGISTER_VERIFY, {"credential": credential})
    assert_refused(response, "invalid_registration")


def test_credential_id_over_1023_bytes_is_refused(client):
    assert_refused(
        register(client, SoftAuthenticator(id_length=1024)), "credential_id_too_long"
    )


def test_credential_id_of_1023_bytes_is_accepted(client):
    assert register(client, SoftAuthenticator(id_length=1023)).status_code == 201


def test_credential_id_registered_by_another_user_is_refused(client, alice, bob):
    theirs = SoftAuthenticator()
    assert register(client, theirs).status_code == 201
    bob_client = sign_in(Client(), "bob")
    reauthenticate(bob_client)
    copy = SoftAuthenticator()
    copy.credential_id = theirs.credential_id
    response = register(bob_client, copy)
    assert response.status_code == 400
    assert response.json() == FAILED
    assert Passkey.objects.get().user == alice
    failed = Event.objects.get(event_type=EventType.PASSKEY_REGISTRATION_FAILED)
    assert (failed.subject, failed.data["failure"]) == (bob, "credential_in_use")


def test_replayed_registration_is_refused(client):
    options = post_json(client, REGISTER_OPTIONS).json()
    credential = SoftAuthenticator().create(options)
    assert (
        post_json(client, REGISTER_VERIFY, {"credential": credential}).status_code
        == 201
    )
    again = post_json(client, REGISTER_VERIFY, {"credential": credential})
    assert again.status_code == 400
    assert Passkey.objects.count() == 1
    failed = Event.objects.get(event_type=EventType.PASSKEY_REGISTRATION_FAILED)
    assert failed.data["failure"] == "no_challenge"


def test_expired_registration_challenge_is_refused(client):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        reauthenticate(client)
        options = post_json(client, REGISTER_OPTIONS).json()
        clock.shift(timedelta(minutes=4, seconds=50))
        reauthenticate(client)
        clock.shift(timedelta(seconds=11))
        credential = SoftAuthenticator().create(options)
        response = post_json(client, REGISTER_VERIFY, {"credential": credential})
    assert_refused(response, "challenge_expired")


def test_sign_in_challenge_cannot_register(client):
    options = post_json(client, "/api/passkeys/login/options/").json()
    options["user"] = {"id": b64url(b"\x00" * 64)}
    options["rp"] = {"id": "localhost"}
    credential = SoftAuthenticator().create(options)
    response = post_json(client, REGISTER_VERIFY, {"credential": credential})
    assert_refused(response, "wrong_ceremony")


def test_non_json_body_is_refused(client):
    post_json(client, REGISTER_OPTIONS)
    response = client.post(
        REGISTER_VERIFY, b"\xff\xfe", content_type="application/json"
    )
    assert_refused(response, "malformed_body")


def test_several_megabyte_body_is_refused(client):
    post_json(client, REGISTER_OPTIONS)
    body = b'{"credential": "' + b"A" * (3 * 1024 * 1024) + b'"}'
    response = client.post(REGISTER_VERIFY, body, content_type="application/json")
    assert_refused(response, "body_too_large", status=413)
