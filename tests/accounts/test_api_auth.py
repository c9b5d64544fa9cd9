"""Sign-in, sign-out, re-authentication and "me" over the JSON API."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session

from sessions_audit.models import Event, EventType, Reason, UserSession
from tests.api_helpers import api_client, api_sign_in, call, csrf
from tests.helpers import cached, events, sid

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"


def test_csrf_endpoint_sets_a_host_prefixed_readable_cookie():
    client = api_client()
    response = client.get("/api/auth/csrf/")
    assert response.status_code == 204
    morsel = response.cookies[settings.CSRF_COOKIE_NAME]
    assert settings.CSRF_COOKIE_NAME == "__Host-csrftoken"
    assert morsel["secure"] is True
    assert morsel["path"] == "/"
    assert morsel["samesite"] == "Lax"
    assert not morsel["httponly"]  # deliberate: the SPA copies it into a header
    assert not morsel["domain"]


def test_login_without_csrf_token_is_refused_and_creates_no_session(alice, password):
    client = api_client()
    csrf(client)
    response = client.post(
        LOGIN,
        {"login": "alice", "password": password},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not UserSession.objects.exists()
    assert events() == []


def test_login_with_password_rotates_key_registers_and_audits(alice, password):
    client = api_client()
    csrf(client)
    client.get("/api/me/")  # anonymous: 401, but a pre-auth cookie may exist
    pre_auth = client.cookies.get(settings.SESSION_COOKIE_NAME)
    me = api_sign_in(client, "alice", password)
    key = sid(client)
    assert pre_auth is None or pre_auth.value != key
    assert me["username"] == "alice"
    assert me["session"]["method"] == "password"
    row = UserSession.objects.get(user=alice)
    assert row.session_key == key
    assert str(row.pk) == me["session"]["id"]
    assert key not in str(me)
    assert events() == [EventType.LOGIN_SUCCEEDED, EventType.SESSION_CREATED]
    assert call(client, "GET", "/api/me/").json()["username"] == "alice"


def test_login_with_wrong_password_is_400_and_audited(alice):
    client = api_client()
    response = call(client, "POST", LOGIN, {"login": "alice", "password": "nope"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_credentials",
        "detail": "The username or password is not right.",
    }
    assert not UserSession.objects.exists()
    failed = Event.objects.get(event_type=EventType.LOGIN_FAILED)
    assert (failed.subject, failed.reason) == (alice, Reason.BAD_CREDENTIALS)


def test_login_with_missing_fields_is_400_with_field_errors(db):
    response = call(api_client(), "POST", LOGIN, {"login": "alice"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "password" in response.json()["fields"]


def test_repeated_wrong_passwords_are_throttled_with_429_json(alice, password):
    client = api_client()
    statuses = [
        call(client, "POST", LOGIN, {"login": "alice", "password": "wrong"}).status_code
        for _ in range(6)
    ]
    assert statuses == [400] * 5 + [429]
    response = call(client, "POST", LOGIN, {"login": "alice", "password": password})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response["Retry-After"] == "60"
    assert not UserSession.objects.exists()


def test_login_when_already_signed_in_is_409(alice, password):
    client = api_client()
    api_sign_in(client, "alice", password)
    response = call(client, "POST", LOGIN, {"login": "alice", "password": password})
    assert response.status_code == 409
    assert response.json()["code"] == "already_signed_in"


def test_logout_ends_the_session_everywhere_and_clears_site_data(alice, password):
    client = api_client()
    api_sign_in(client, "alice", password)
    key = sid(client)
    response = call(client, "POST", "/api/auth/logout/")
    assert response.status_code == 204
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert not Session.objects.filter(pk=key).exists()
    assert cached(key) is None
    assert not UserSession.objects.exists()
    replay = api_client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get("/api/me/").status_code == 401
    logged_out = Event.objects.get(event_type=EventType.LOGGED_OUT)
    assert (logged_out.actor, logged_out.reason) == (alice, Reason.LOGOUT)


def test_logout_on_get_is_405_and_the_session_lives(alice, password):
    client = api_client()
    api_sign_in(client, "alice", password)
    assert client.get("/api/auth/logout/").status_code == 405
    assert client.get("/api/me/").status_code == 200


def test_me_anonymous_is_401_json():
    response = api_client().get("/api/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_me_lists_permissions_computed_at_each_request(alice, password):
    client = api_client()
    api_sign_in(client, "alice", password)
    assert client.get("/api/me/").json()["permissions"] == []
    alice.user_permissions.add(Permission.objects.get(codename="view_event"))
    me = client.get("/api/me/").json()
    assert me["permissions"] == ["sessions_audit.view_event"]
    assert me["can"] == {
        "view_audit": True,
        "export_audit": False,
        "force_logout": False,
    }


def test_reauth_checks_the_password_and_is_rate_limited(alice, password):
    client = api_client()
    api_sign_in(client, "alice", password)
    wrong = call(client, "POST", "/api/auth/reauth/", {"password": "nope"})
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_credentials"
    assert (
        call(client, "POST", "/api/auth/reauth/", {"password": password}).status_code
        == 204
    )
    assert (
        api_client()
        .post(
            "/api/auth/reauth/", {"password": password}, content_type="application/json"
        )
        .status_code
        == 401
    )


def test_repeated_wrong_reauth_passwords_are_throttled(alice, password):
    client = api_client()
    api_sign_in(client, "alice", password)
    statuses = [
        call(client, "POST", "/api/auth/reauth/", {"password": "wrong"}).status_code
        for _ in range(6)
    ]
    assert statuses == [400] * 5 + [429]
    response = call(client, "POST", "/api/auth/reauth/", {"password": password})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert client.get("/api/me/").status_code == 200  # still signed in
