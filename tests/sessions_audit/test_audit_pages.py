"""The auditor page, its export and the dashboard: who may see what, filters."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client

from sessions_audit.models import Event, EventType
from sessions_audit.services import record_event
from tests.factories import UserFactory
from tests.helpers import reauthenticate

pytestmark = pytest.mark.django_db

LIST, EXPORT, DASHBOARD = "/audit/", "/audit/export/", "/audit/dashboard/"


def _refusals() -> list[dict]:
    return [
        {"actor": e.actor_label, **e.data}
        for e in Event.objects.filter(
            event_type=EventType.AUTHORIZATION_REFUSED
        ).order_by("id")
    ]


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body, newline="")))


@pytest.fixture
def auditor_browser(auditor, login):
    return login(Client(), "auditor")


@pytest.fixture
def operator(db):
    """A staff member who may end sessions, but is no auditor."""
    user = UserFactory(username="operator", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_usersession"),
        Permission.objects.get(codename="revoke_usersession"),
    )
    return user


@pytest.fixture
def history(alice, bob):
    """Events over three days from two users and two addresses."""
    made = []
    for day, user, ip, kind in [
        (1, alice, "203.0.113.1", EventType.LOGIN_SUCCEEDED),
        (1, bob, "203.0.113.2", EventType.LOGIN_FAILED),
        (2, alice, "203.0.113.1", EventType.LOGIN_FAILED),
        (2, alice, "203.0.113.1", EventType.LOGIN_SUCCEEDED),
        (3, bob, "203.0.113.2", EventType.LOGIN_SUCCEEDED),
    ]:
        with time_machine.travel(datetime(2026, 11, day, 10, tzinfo=UTC)):
            event = record_event(event_type=kind, subject=user, data={"ip": ip})
        made.append(event)
    return made


def test_anonymous_is_sent_to_sign_in(client):
    for url in (LIST, EXPORT, DASHBOARD):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert not Event.objects.exists()


def test_plain_user_is_refused_and_the_refusal_is_audited(alice, login):
    browser = login(Client(), "alice")
    assert browser.get(LIST).status_code == 403
    assert browser.get(EXPORT).status_code == 403
    assert browser.get(DASHBOARD).status_code == 403
    refusals = _refusals()
    assert [(r["actor"], r["resource"]) for r in refusals] == [
        ("alice", "audit_log"),
        ("alice", "audit_export"),
        ("alice", "audit_dashboard"),
    ]
    assert refusals[1]["permissions"] == [
        "sessions_audit.export_event",
        "sessions_audit.view_event",
    ]
    event = Event.objects.filter(event_type=EventType.AUTHORIZATION_REFUSED).first()
    assert event.actor.username == "alice"
    assert event.session_ref  # which session tried


def test_session_admin_who_is_no_auditor_cannot_read_the_log(operator, login):
    browser = login(Client(), "operator")
    assert browser.get(LIST).status_code == 403
    assert browser.get("/admin/sessions_audit/event/").status_code == 403
    assert browser.get("/admin/sessions_audit/event/export/").status_code == 403
    some_event = Event.objects.order_by("id").first()
    change = f"/admin/sessions_audit/event/{some_event.pk}/change/"
    assert browser.get(change).status_code == 403
    assert [r["resource"] for r in _refusals()] == [
        "audit_log",
        "admin:sessions_audit.event",
        "admin_audit_export",
        "admin:sessions_audit.event",
    ]
    assert not Event.objects.filter(event_type=EventType.AUDIT_EXPORTED).exists()


def test_refused_admin_action_is_audited_and_nothing_happens(alice, login):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_usersession"))
    phone = login(Client(), "alice")
    browser = login(Client(), "viewer")
    from sessions_audit.models import UserSession

    row = UserSession.objects.get(user=alice)
    response = browser.post(
        "/admin/sessions_audit/usersession/",
        {"action": "end_sessions_action", "_selected_action": [str(row.pk)]},
    )
    assert response.status_code == 403
    assert phone.get("/account/devices/").status_code == 200
    assert [(r["actor"], r["resource"]) for r in _refusals()] == [
        ("viewer", "admin:sessions_audit.usersession:action:end_sessions_action")
    ]


def test_auditor_filters_by_type_user_ip_and_dates(auditor_browser, history):
    response = auditor_browser.get(
        LIST,
        {
            "event_type": "login_succeeded",
            "user": "alice",
            "since": "2026-11-02",
            "until": "2026-11-02",
        },
    )
    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert [e.pk for e in rows] == [history[3].pk]
    assert b'data-test="export-csv"' in response.content
    assert b"event_type=login_succeeded" in response.content


def test_auditor_list_is_paginated_newest_first(auditor_browser, alice):
    for i in range(60):
        record_event(event_type=EventType.LOGIN_FAILED, subject=alice, data={"i": i})
    first = auditor_browser.get(LIST, {"user": "alice"})
    second = auditor_browser.get(LIST, {"user": "alice", "page": 2})
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 10
    assert first.context["page"][0].data == {"i": 59}
    assert b"Page 1 of 2" in first.content


@pytest.mark.parametrize(
    "query",
    [
        {"ip": "not-an-ip"},
        {"since": "2026-11-03", "until": "2026-11-01"},
        {"user": "nobody-by-that-name"},
        {"since": "yesterday"},
        {"event_type": "made_up"},
    ],
)
def test_bad_filters_get_a_400_and_export_nothing(auditor_browser, history, query):
    reauthenticate(auditor_browser)
    assert auditor_browser.get(LIST, query).status_code == 400
    assert auditor_browser.get(EXPORT, query).status_code == 400
    assert not Event.objects.filter(event_type=EventType.AUDIT_EXPORTED).exists()


def test_export_asks_for_the_password_again_first(auditor_browser, history):
    response = auditor_browser.get(EXPORT, {"user": "bob", "fmt": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/?next=")
    assert not Event.objects.filter(event_type=EventType.AUDIT_EXPORTED).exists()

    resumed = auditor_browser.post(
        response["Location"], {"password": "correct-horse-battery-9"}
    )
    assert resumed.status_code == 302
    assert resumed["Location"] == f"{EXPORT}?user=bob&fmt=csv"
    assert auditor_browser.get(resumed["Location"]).status_code == 200


def test_csv_export_of_the_filtered_log(auditor_browser, auditor, history):
    reauthenticate(auditor_browser)
    response = auditor_browser.get(
        EXPORT, {"user": "bob", "since": "2026-11-01", "until": "2026-11-03"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        'attachment; filename="audit-20261101T000000Z-20261104T000000Z.csv"'
    )
    rows = _rows(response)
    assert [row[0] for row in rows[1:]] == [str(history[1].pk), str(history[4].pk)]
    assert rows[1][1] == "2026-11-01T10:00:00.000000Z"
    exported = Event.objects.get(event_type=EventType.AUDIT_EXPORTED)
    assert exported.actor == auditor
    assert exported.data["row_count"] == 2
    assert exported.data["filters"] == {
        "source": "auditor_page",
        "format": "csv",
        "since": "2026-11-01",
        "until": "2026-11-03",
        "user": "bob",
    }


def test_json_lines_export(auditor_browser, history):
    reauthenticate(auditor_browser)
    response = auditor_browser.get(EXPORT, {"ip": "", "fmt": "jsonl"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jsonl; charset=utf-8"
    assert response["Content-Disposition"].endswith('.jsonl"')
    lines = b"".join(response.streaming_content).decode().splitlines()
    records = [json.loads(line) for line in lines]
    history_ids = [e.pk for e in history]
    # Sign-in and re-authentication add their own events around the history.
    assert [r["id"] for r in records if r["id"] in history_ids] == history_ids
    assert next(r for r in records if r["id"] == history_ids[-1])["data"] == {
        "ip": "203.0.113.2"
    }


def test_unknown_export_format_is_a_400(auditor_browser, history):
    reauthenticate(auditor_browser)
    assert auditor_browser.get(EXPORT, {"fmt": "xlsx"}).status_code == 400


def test_viewer_without_export_permission_sees_no_export_and_is_refused(login):
    reader = UserFactory(username="reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_event"))
    browser = login(Client(), "reader")
    page = browser.get(LIST)
    assert page.status_code == 200
    assert b'data-test="exports"' not in page.content
    assert browser.get(EXPORT).status_code == 403
    assert [r["resource"] for r in _refusals()] == ["audit_export"]


def test_admin_export_needs_a_fresh_password_too(auditor_browser):
    response = auditor_browser.get("/admin/sessions_audit/event/export/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not Event.objects.filter(event_type=EventType.AUDIT_EXPORTED).exists()


def test_cross_site_export_is_refused_same_origin_is_not(auditor_browser, history):
    reauthenticate(auditor_browser)
    cross = auditor_browser.get(EXPORT, headers={"Sec-Fetch-Site": "cross-site"})
    admin_cross = auditor_browser.get(
        "/admin/sessions_audit/event/export/", headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross.status_code == admin_cross.status_code == 403
    assert [r["resource"] for r in _refusals()] == [
        "audit_export:cross_site",
        "admin_audit_export:cross_site",
    ]
    same = auditor_browser.get(EXPORT, headers={"Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 200
    assert Event.objects.filter(event_type=EventType.AUDIT_EXPORTED).count() == 1
