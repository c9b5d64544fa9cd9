"""Hostile input found by trying to break the app: each gets a 4xx, never a 500."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from sessions_audit.models import Event, EventType, UserSession
from tests.api_helpers import api_client, api_reauth, api_sign_in, csrf
from tests.helpers import reauthenticate

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_nul_in_user_agent_is_stored_replaced_and_the_failure_still_audited(
    client, alice
):
    response = client.post(
        "/accounts/login/",
        {"login": "alice", "password": "wrong-password"},
        HTTP_USER_AGENT="x\x00y",
    )
    assert response.status_code == 200
    event = Event.objects.get(event_type=EventType.LOGIN_FAILED)
    assert event.user_agent == "x\ufffdy"


def test_nul_in_user_agent_does_not_stop_a_sign_in(client, alice, login):
    login(client, "alice", HTTP_USER_AGENT="Firefox\x00")
    assert UserSession.objects.get(user=alice).user_agent == "Firefox\ufffd"


def test_nul_in_attempted_username_is_audited(client, db):
    client.post("/accounts/login/", {"login": "eve\x00", "password": "whatever-pass"})
    failed = Event.objects.filter(event_type=EventType.LOGIN_FAILED)
    assert all("\x00" not in str(e.data) for e in failed)


def test_deeply_nested_json_is_a_400():
    client = api_client()
    token = csrf(client)
    response = client.post(
        "/api/auth/login/",
        "[" * 5000 + "]" * 5000,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_body_over_the_upload_limit_is_a_json_400_under_api(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = api_client()
    token = csrf(client)
    response = client.post(
        "/api/auth/login/",
        '{"login": "' + "a" * 5000 + '"}',
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "detail": "Bad request."}


@pytest.mark.parametrize(
    "query",
    [
        "/audit/?until=9999-12-31",
        "/audit/export/?until=9999-12-31",
        "/audit/dashboard/?until=9999-12-31",
        "/audit/dashboard/?until=0001-01-01",
        "/audit/dashboard/?since=9999-12-31&until=9999-12-31",
    ],
)
def test_dates_at_the_calendars_edge_are_refused_not_500(auditor, login, query):
    from django.test import Client

    browser = login(Client(), "auditor")
    reauthenticate(browser)
    response = browser.get(query)
    assert 400 <= response.status_code < 500 or (
        response.status_code == 200 and b"Choose dates between" in response.content
    )


def test_unknown_session_id_is_404_without_the_model_name(alice, password):
    client = api_client()
    api_sign_in(client, "alice", password)
    api_reauth(client, password)
    response = client.delete(
        f"/api/sessions/{uuid.uuid4()}/", HTTP_X_CSRFTOKEN=csrf(client)
    )
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_debug_refuses_to_start_for_other_hosts():
    env = {**os.environ, "DEBUG": "true", "ALLOWED_HOSTS": "sessions.example.com"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DEBUG is on but ALLOWED_HOSTS names other hosts" in result.stderr
