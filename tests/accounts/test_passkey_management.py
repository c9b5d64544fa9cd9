"""The passkeys page, the list/rename/delete API, re-authentication and admin."""

import json

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import Passkey
from sessions_audit.models import Event, EventType, UserSession
from tests.accounts.authenticator import SoftAuthenticator
from tests.accounts.conftest import (
    LOGIN_OPTIONS,
    LOGIN_VERIFY,
    REGISTER_OPTIONS,
    login_options,
    passkey_login,
    post_json,
    reauthenticate,
    register,
)
from tests.helpers import cached, is_signed_in, sid, sign_in

pytestmark = pytest.mark.django_db


def _delete(client, passkey, **body):
    return client.delete(
        f"/api/passkeys/{passkey.pk}/",
        json.dumps(body),
        content_type="application/json",
    )


def test_page_lists_passkeys_with_kind_and_last_use(enrolled, alice):
    synced = SoftAuthenticator(backup_eligible=True, backup_state=True)
    client = sign_in(Client(), "alice")
    reauthenticate(client)
    assert register(client, synced, name="Phone").status_code == 201
    passkey_login(Client(), enrolled)

    page = client.get("/account/passkeys/").content.decode()
    assert "Laptop" in page and "Phone" in page
    assert "device-bound" in page and "synced" in page
    assert page.count('data-test="passkey-row"') == 2
    assert "never" in page  # the phone was never used to sign in
    assert 'data-csrf-cookie="__Host-csrftoken"' in page
    assert "<script>" not in page


def test_api_lists_only_the_users_own_passkeys(enrolled, alice, bob):
    client = sign_in(Client(), "bob")
    assert client.get("/api/passkeys/").json() == []
    client = sign_in(Client(), "alice")
    listed = client.get("/api/passkeys/").json()
    assert [(p["name"], p["synced"]) for p in listed] == [("Laptop", False)]
    assert "credential_id" not in listed[0] and "public_key" not in listed[0]


def test_rename_through_the_page_is_audited(enrolled, alice):
    client = sign_in(Client(), "alice")
    passkey = Passkey.objects.get()
    response = client.post(f"/account/passkeys/{passkey.pk}/rename/", {"name": "Desk"})
    assert response.status_code == 302
    passkey.refresh_from_db()
    assert passkey.name == "Desk"
    event = Event.objects.get(event_type=EventType.PASSKEY_RENAMED)
    assert (event.actor, event.data["old_name"], event.data["name"]) == (
        alice,
        "Laptop",
        "Desk",
    )


def test_rename_through_the_api(enrolled):
    client = sign_in(Client(), "alice")
    passkey = Passkey.objects.get()
    response = client.patch(
        f"/api/passkeys/{passkey.pk}/",
        json.dumps({"name": "Tablet"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Tablet"
    bad = client.patch(
        f"/api/passkeys/{passkey.pk}/",
        json.dumps({"name": ""}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert Event.objects.filter(event_type=EventType.PASSKEY_RENAMED).count() == 1


def test_another_users_passkey_is_not_found(enrolled, bob):
    client = sign_in(Client(), "bob")
    reauthenticate(client)
    passkey = Passkey.objects.get()
    assert _delete(client, passkey).status_code == 404
    assert client.post(f"/account/passkeys/{passkey.pk}/remove/").status_code == 404
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_delete_needs_a_fresh_reauthentication(enrolled):
    client = sign_in(Client(), "alice")
    passkey = Passkey.objects.get()
    response = _delete(client, passkey)
    assert response.status_code == 403
    assert response.json()["code"] == "reauth_required"
    client.post(f"/account/passkeys/{passkey.pk}/remove/")
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    assert not Event.objects.filter(event_type=EventType.PASSKEY_REMOVED).exists()


def test_removing_with_end_sessions_signs_out_the_passkey_sessions(enrolled, alice):
    passkey = Passkey.objects.get()
    by_passkey = Client()
    assert passkey_login(by_passkey, enrolled).status_code == 200
    ended_key = sid(by_passkey)
    by_password = sign_in(Client(), "alice")
    reauthenticate(by_password)

    response = by_password.post(
        f"/account/passkeys/{passkey.pk}/remove/", {"end_sessions": "on"}
    )

    assert response.status_code == 302
    assert not is_signed_in(by_passkey)
    assert is_signed_in(by_password)
    assert not UserSession.objects.filter(session_key=ended_key).exists()
    assert not Session.objects.filter(session_key=ended_key).exists()
    assert cached(ended_key) is None
    revoked = Event.objects.get(event_type=EventType.SESSION_REVOKED)
    assert (revoked.actor, revoked.subject, revoked.reason) == (
        alice,
        alice,
        "passkey_removal",
    )
    removed = Event.objects.get(event_type=EventType.PASSKEY_REMOVED)
    assert (removed.actor, removed.data["sessions_ended"]) == (alice, 1)
    assert not Passkey.objects.exists()
    # The removed credential no longer signs anyone in.
    client = Client()
    response = passkey_login(client, enrolled)
    assert response.status_code == 400
    assert not is_signed_in(client)


def test_removing_without_end_sessions_keeps_them(enrolled, alice):
    passkey = Passkey.objects.get()
    by_passkey = Client()
    passkey_login(by_passkey, enrolled)
    by_password = sign_in(Client(), "alice")
    reauthenticate(by_password)
    response = _delete(by_password, passkey, end_sessions=False)
    assert response.status_code == 200
    assert response.json() == {"sessions_ended": 0}
    assert is_signed_in(by_passkey)
    assert UserSession.objects.get(session_key=sid(by_passkey)).passkey is None
    assert not Event.objects.filter(event_type=EventType.SESSION_REVOKED).exists()


def test_last_passkey_of_a_user_without_password_cannot_be_removed(enrolled, alice):
    alice.refresh_from_db()
    alice.set_unusable_password()
    alice.save()
    client = Client()
    passkey_login(client, enrolled)
    # Re-authenticate with the passkey itself (no password to use).
    credential = enrolled.get(login_options(client))
    response = post_json(client, LOGIN_VERIFY, {"credential": credential})
    assert response.json()["reauthenticated"] is True
    passkey = Passkey.objects.get()

    response = _delete(client, passkey, end_sessions=True)

    assert response.status_code == 409
    assert response.json()["code"] == "last_passkey"
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    assert is_signed_in(client)
    assert not Event.objects.filter(event_type=EventType.PASSKEY_REMOVED).exists()


def test_passkey_assertion_by_the_signed_in_user_counts_as_reauthentication(
    enrolled, alice
):
    client = sign_in(Client(), "alice")
    key = sid(client)
    ref = UserSession.objects.get(session_key=key).ref
    assert post_json(client, REGISTER_OPTIONS).status_code == 403
    credential = enrolled.get(login_options(client))
    response = post_json(client, LOGIN_VERIFY, {"credential": credential})
    assert response.status_code == 200
    assert response.json()["reauthenticated"] is True
    # Not a second sign-in: the same registry row, under a rotated key.
    assert sid(client) != key
    assert UserSession.objects.get(session_key=sid(client)).ref == ref
    assert post_json(client, REGISTER_OPTIONS).status_code == 200
    # The enrolment fixture re-authenticated with the password once before.
    event = Event.objects.get(event_type=EventType.REAUTHENTICATED, method="passkey")
    assert event.subject == alice
    assert event.session_ref == ref
    assert event.data == {"passkey_id": alice.passkeys.get().pk}


def test_reauthentication_with_another_users_passkey_is_refused(enrolled, alice, bob):
    client = sign_in(Client(), "bob")
    credential = enrolled.get(login_options(client))
    response = post_json(client, LOGIN_VERIFY, {"credential": credential})
    assert response.status_code == 400
    assert client.get("/api/passkeys/").json() == []  # still Bob
    assert post_json(client, REGISTER_OPTIONS).status_code == 403
    failed = Event.objects.get(event_type=EventType.PASSKEY_LOGIN_FAILED)
    assert (failed.actor, failed.data["failure"]) == (bob, "other_user")


def test_sign_in_endpoints_enforce_csrf_for_anonymous_visitors(enrolled):
    client = Client(enforce_csrf_checks=True)
    assert post_json(client, LOGIN_OPTIONS).status_code == 403
    assert "accounts.passkeys.ceremony" not in client.session
    client.get("/accounts/login/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    options = post_json(client, LOGIN_OPTIONS, HTTP_X_CSRFTOKEN=token)
    assert options.status_code == 200
    credential = enrolled.get(options.json())
    response = post_json(client, LOGIN_VERIFY, {"credential": credential})
    assert response.status_code == 403
    assert not UserSession.objects.filter(method="passkey").exists()
    response = post_json(
        client, LOGIN_VERIFY, {"credential": credential}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200


def test_passkey_sign_in_is_rate_limited_per_ip(enrolled, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "passkey_login": "3/m/ip",
    }
    client = Client()
    for _ in range(3):
        assert post_json(client, LOGIN_OPTIONS).status_code == 200
    response = post_json(client, LOGIN_OPTIONS)
    assert response.status_code == 429
    assert response.json()["code"] == "too_many_attempts"
    assert response["Retry-After"] == "60"
    other_ip = post_json(Client(), LOGIN_OPTIONS, REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 200


def test_admin_sees_passkeys_and_removing_one_ends_its_sessions(
    enrolled, alice, staff_admin
):
    passkey = Passkey.objects.get()
    by_passkey = Client()
    passkey_login(by_passkey, enrolled)
    admin = sign_in(Client(), "boss")
    url = f"/admin/accounts/user/{alice.pk}/change/"
    page = admin.get(url)
    assert page.status_code == 200
    assert "Laptop" in page.content.decode()
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "username": "alice",
            "date_joined_0": alice.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": alice.date_joined.strftime("%H:%M:%S"),
            "passkeys-TOTAL_FORMS": "1",
            "passkeys-INITIAL_FORMS": "1",
            "passkeys-MIN_NUM_FORMS": "0",
            "passkeys-MAX_NUM_FORMS": "1000",
            "passkeys-0-id": str(passkey.pk),
            "passkeys-0-user": str(alice.pk),
            "passkeys-0-DELETE": "on",
        }
    )
    for key in ("groups", "user_permissions", "last_login", "date_joined", "password"):
        data.pop(key, None)
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not Passkey.objects.exists()
    assert not is_signed_in(by_passkey)
    removed = Event.objects.get(event_type=EventType.PASSKEY_REMOVED)
    assert (removed.actor, removed.subject, removed.reason) == (
        staff_admin,
        alice,
        "admin",
    )
    revoked = Event.objects.get(event_type=EventType.SESSION_REVOKED)
    assert (revoked.actor, revoked.reason) == (staff_admin, "passkey_removal")


def test_owner_is_emailed_when_a_passkey_is_added_or_removed(
    alice, mailoutbox, django_capture_on_commit_callbacks
):
    client = sign_in(Client(), "alice")
    reauthenticate(client)
    with django_capture_on_commit_callbacks(execute=True):
        assert register(client, SoftAuthenticator(), name="Yubi").status_code == 201
    added = mailoutbox[-1]
    assert added.to == ["alice@example.com"]
    assert "Passkey added" in added.subject
    assert '"Yubi"' in added.body and "IP address: 127.0.0.1" in added.body
    reauthenticate(client)
    with django_capture_on_commit_callbacks(execute=True):
        assert _delete(client, Passkey.objects.get()).status_code == 200
    removed = mailoutbox[-1]
    assert "Passkey removed" in removed.subject
    assert '"Yubi"' in removed.body
    assert sid(client) not in added.body + removed.body


def test_state_changing_routes_refuse_get(enrolled):
    client = sign_in(Client(), "alice")
    reauthenticate(client)
    passkey = Passkey.objects.get()
    for url in (
        LOGIN_OPTIONS,
        LOGIN_VERIFY,
        REGISTER_OPTIONS,
        "/api/passkeys/register/verify/",
        f"/account/passkeys/{passkey.pk}/remove/",
        f"/account/passkeys/{passkey.pk}/rename/",
    ):
        assert client.get(url).status_code == 405, url
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    assert "accounts.passkeys.ceremony" not in client.session


def test_form_encoded_sign_in_is_refused(enrolled):
    client = Client()
    login_options(client)
    response = client.post(LOGIN_VERIFY, {"credential": "x"})
    # A form post is a CORS "simple request": refused before any view runs.
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not is_signed_in(client)
