"""Sign-in, sign-out and failures through the real allauth pages."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from sessions_audit.models import Event, EventType, Reason, UserSession
from tests.helpers import cached, events, is_signed_in, sid

pytestmark = pytest.mark.django_db


def test_wrong_password_shows_login_page_and_is_audited_once(client, alice):
    response = client.post(
        "/accounts/login/", {"login": "alice", "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert b"not correct" in response.content
    failed = Event.objects.get(event_type=EventType.LOGIN_FAILED)
    assert failed.subject == alice
    assert failed.reason == Reason.BAD_CREDENTIALS
    assert failed.data == {"username": "alice"}
    assert "wrong-password" not in str(Event.objects.values().get())
    assert not UserSession.objects.exists()


def test_unknown_user_failure_is_audited_without_subject(client, db):
    client.post("/accounts/login/", {"login": "nobody", "password": "whatever-pass"})
    failed = Event.objects.get(event_type=EventType.LOGIN_FAILED)
    assert failed.subject is None
    assert failed.data == {"username": "nobody"}


def test_sign_in_without_csrf_token_is_refused(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"login": "alice", "password": "correct-horse-battery-9"}
    )
    assert response.status_code == 403
    assert not UserSession.objects.exists()
    assert not Event.objects.filter(event_type=EventType.LOGIN_SUCCEEDED).exists()


def test_logout_is_post_only(client, alice, login):
    login(client, "alice")
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert b"Sign out with the button" in response.content
    assert is_signed_in(client)


def test_logout_without_csrf_is_refused(alice, login):
    client = Client(enforce_csrf_checks=True)
    login_client = Client()
    login(login_client, "alice")
    client.cookies = login_client.cookies
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert is_signed_in(login_client)


def test_logout_deletes_session_everywhere_and_is_audited(client, alice, login):
    login(client, "alice")
    client.get("/")
    key = sid(client)
    ref = UserSession.objects.get(user=alice).ref

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert not UserSession.objects.filter(user=alice).exists()
    assert not Session.objects.filter(pk=key).exists()
    assert cached(key) is None
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not is_signed_in(replay)
    event = Event.objects.get(event_type=EventType.LOGGED_OUT)
    assert (event.actor, event.subject, event.session_ref, event.reason) == (
        alice,
        alice,
        ref,
        Reason.LOGOUT,
    )
    assert events() == ["login_succeeded", "session_created", "logged_out"]


def test_admin_login_goes_through_allauth(client, staff_admin):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_admin_sign_in_is_registered(client, staff_admin, login):
    login(client, "boss")
    assert client.get("/admin/").status_code == 200
    assert UserSession.objects.filter(user=staff_admin).count() == 1


def test_sign_in_sets_the_requests_user_session_at_once(rf, alice):
    from django.contrib.auth import login
    from django.contrib.sessions.middleware import SessionMiddleware

    request = rf.get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    login(request, alice, backend="django.contrib.auth.backends.ModelBackend")
    assert request.user_session == UserSession.objects.get(user=alice)
    assert request.user_session.session_key == request.session.session_key
