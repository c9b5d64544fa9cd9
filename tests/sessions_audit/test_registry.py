"""The registry: every sign-in path registers; only registered sessions authenticate."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from sessions_audit.models import Event, EventType, Method, UserSession
from sessions_audit.refs import session_ref
from tests.helpers import cached, events, is_signed_in, sid

pytestmark = pytest.mark.django_db


def test_allauth_sign_in_registers_session_with_password_method(client, alice, login):
    login(
        client, "alice", HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
    )
    row = UserSession.objects.get(user=alice)
    assert row.session_key == sid(client)
    assert row.method == Method.PASSWORD
    assert row.ip == "127.0.0.1"
    assert "Firefox" in row.user_agent
    assert row.ref == session_ref(sid(client))
    assert row.created_at == row.last_seen_at


def test_sign_in_rotates_the_pre_auth_key(client, alice, login):
    client.get("/accounts/login/")
    pre_auth = client.cookies.get("__Host-session") or client.cookies.get("session")
    login(client, "alice")
    if pre_auth is not None:
        assert sid(client) != pre_auth.value


def test_plain_django_login_registers_too(client, alice):
    client.force_login(alice)
    row = UserSession.objects.get(user=alice)
    assert row.session_key == sid(client)
    assert row.method == Method.OTHER
    assert is_signed_in(client)


def test_sign_in_event_carries_ref_not_key(client, alice, login):
    login(client, "alice")
    event = Event.objects.get(event_type=EventType.LOGIN_SUCCEEDED)
    assert event.actor == alice and event.subject == alice
    assert event.session_ref == session_ref(sid(client))
    assert sid(client) not in str(Event.objects.values().get(pk=event.pk))


def test_deleting_the_registry_row_signs_out_even_with_cached_data(
    client, alice, login
):
    login(client, "alice")
    key = sid(client)
    assert cached(key) is not None or Session.objects.filter(pk=key).exists()
    # A bulk ORM delete bypasses every service and the cache.
    UserSession.objects.filter(user=alice).delete()
    assert not is_signed_in(client)
    # The stale copy is flushed on that request.
    assert cached(key) is None
    assert not Session.objects.filter(pk=key).exists()


def test_forged_session_cookie_is_anonymous_and_not_adopted(
    client, alice, login, settings
):
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    response = client.get("/account/devices/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    login(client, "alice")
    assert sid(client) != "a" * 32
    assert not Session.objects.filter(pk="a" * 32).exists()


def test_tampered_session_cookie_gets_login_page_not_500(client, settings):
    client.cookies[settings.SESSION_COOKIE_NAME] = "not a key; <script>"
    response = client.get("/account/devices/")
    assert response.status_code == 302


def test_session_of_deactivated_user_does_not_authenticate(client, alice, login):
    login(client, "alice")
    alice.is_active = False
    alice.save()
    assert not is_signed_in(client)


def test_authenticated_request_costs_one_query(
    client, alice, login, django_assert_num_queries
):
    login(client, "alice")
    client.get("/")  # warm the session cache
    with django_assert_num_queries(1):
        response = client.get("/")
    assert response.status_code == 200
    assert b"Signed in as alice" in response.content


def test_last_seen_write_is_throttled(client, alice, login, time_machine):
    time_machine.move_to("2026-01-01 12:00:00+00:00", tick=False)
    login(client, "alice")
    first_seen = UserSession.objects.get(user=alice).last_seen_at
    time_machine.shift(30)
    client.get("/")
    assert UserSession.objects.get(user=alice).last_seen_at == first_seen
    time_machine.shift(31)
    client.get("/")
    assert (
        UserSession.objects.get(user=alice).last_seen_at - first_seen
    ).total_seconds() == 61


def test_two_devices_two_rows(alice, login):
    first, second = Client(), Client()
    login(first, "alice")
    login(second, "alice")
    assert UserSession.objects.filter(user=alice).count() == 2
    assert (
        events(event_type=EventType.LOGIN_SUCCEEDED) == [EventType.LOGIN_SUCCEEDED] * 2
    )
