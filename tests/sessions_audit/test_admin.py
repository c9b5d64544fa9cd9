"""Admin: thin, permission-gated actions with a confirmation step; audit read-only."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from sessions_audit.models import Event, EventType, Reason, UserSession
from tests.factories import UserFactory
from tests.helpers import is_signed_in, reauthenticate, sid

pytestmark = pytest.mark.django_db

SESSIONS_URL = "/admin/sessions_audit/usersession/"
USERS_URL = "/admin/accounts/user/"
EVENTS_URL = "/admin/sessions_audit/event/"


@pytest.fixture
def admin_browser(staff_admin, login):
    return login(Client(), "boss")


@pytest.fixture
def alice_devices(alice, login):
    return login(Client(), "alice"), login(Client(), "alice")


def test_sessions_changelist_shows_device_but_never_the_key(
    admin_browser, alice_devices
):
    response = admin_browser.get(SESSIONS_URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        body.count('name="_selected_action"') == 3
    )  # two for alice, one for the admin
    for device in alice_devices:
        assert sid(device) not in body


def test_end_selected_sessions_asks_for_confirmation_first(
    admin_browser, alice_devices
):
    phone = alice_devices[1]
    row = UserSession.objects.get(session_key=sid(phone))
    data = {"action": "end_sessions_action", "_selected_action": [str(row.pk)]}

    first = admin_browser.post(SESSIONS_URL, data)

    assert first.status_code == 200
    assert b"This will end 1 session now." in first.content
    assert is_signed_in(phone)

    second = admin_browser.post(
        SESSIONS_URL, {**data, "confirm": "yes", "note": "stolen phone"}
    )

    assert second.status_code == 302
    assert not is_signed_in(phone)
    assert is_signed_in(alice_devices[0])
    event = Event.objects.get(event_type=EventType.SESSION_REVOKED)
    assert event.actor.username == "boss"
    assert event.reason == Reason.ADMIN
    assert event.data == {"note": "stolen phone"}


def test_confirmation_without_reason_does_nothing(admin_browser, alice_devices):
    row = UserSession.objects.get(session_key=sid(alice_devices[0]))
    response = admin_browser.post(
        SESSIONS_URL,
        {
            "action": "end_sessions_action",
            "_selected_action": [str(row.pk)],
            "confirm": "yes",
        },
    )
    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert is_signed_in(alice_devices[0])


def test_force_logout_user_action_ends_all_their_devices(
    admin_browser, alice, alice_devices
):
    data = {"action": "force_logout_action", "_selected_action": [str(alice.pk)]}
    first = admin_browser.post(USERS_URL, data)
    assert b"This will end 2 sessions now." in first.content

    admin_browser.post(USERS_URL, {**data, "confirm": "yes", "note": "offboarding"})

    assert not any(is_signed_in(device) for device in alice_devices)
    assert is_signed_in(admin_browser)
    assert (
        Event.objects.filter(
            event_type=EventType.SESSION_REVOKED, subject=alice
        ).count()
        == 2
    )


def test_staff_without_revoke_permission_gets_no_end_action(alice_devices, login):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_usersession"))
    browser = login(Client(), "viewer")
    response = browser.get(SESSIONS_URL)
    assert response.status_code == 200
    assert b"end_sessions_action" not in response.content
    row = UserSession.objects.get(session_key=sid(alice_devices[0]))
    browser.post(
        SESSIONS_URL,
        {
            "action": "end_sessions_action",
            "_selected_action": [str(row.pk)],
            "confirm": "yes",
            "note": "x",
        },
    )
    assert is_signed_in(alice_devices[0])


def test_audit_events_are_read_only_in_admin(admin_browser, alice_devices):
    event = Event.objects.first()
    assert admin_browser.get(f"{EVENTS_URL}add/").status_code == 403
    change = admin_browser.get(f"{EVENTS_URL}{event.pk}/change/")
    assert change.status_code == 200
    assert b'name="event_type"' not in change.content  # no editable field
    assert admin_browser.post(f"{EVENTS_URL}{event.pk}/delete/").status_code == 403


def test_audit_events_are_append_only_in_the_orm(alice_devices):
    event = Event.objects.first()
    event.reason = "tampered"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        Event.objects.all().delete()
    with pytest.raises(TypeError):
        Event.objects.update(reason="tampered")


def _parse(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_auditor_exports_filtered_changelist_as_csv(auditor, alice_devices, login):
    browser = reauthenticate(login(Client(), "auditor"))
    response = browser.get(f"{EVENTS_URL}export/?event_type=login_succeeded")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = _parse(response)
    assert rows[0][:3] == ["id", "created_at", "event_type"]
    assert [row[2] for row in rows[1:]] == [
        "login_succeeded"
    ] * 3  # alice twice + auditor
    exported = Event.objects.filter(event_type=EventType.AUDIT_EXPORTED).get()
    assert exported.actor == auditor
    assert exported.data["row_count"] == 3
    assert "event_type=login_succeeded" in exported.data["filters"]["query"]


def test_auditor_export_action_on_selected_events(auditor, alice_devices, login):
    browser = reauthenticate(login(Client(), "auditor"))
    ids = list(Event.objects.order_by("id").values_list("pk", flat=True)[:2])
    response = browser.post(
        EVENTS_URL,
        {"action": "export_events_action", "_selected_action": [str(i) for i in ids]},
    )
    assert response.status_code == 200
    assert [int(row[0]) for row in _parse(response)[1:]] == ids


def test_auditor_cannot_end_sessions(auditor, alice_devices, login):
    browser = login(Client(), "auditor")
    assert browser.get(SESSIONS_URL).status_code == 403
    assert browser.get(USERS_URL).status_code == 403


def test_session_admin_without_audit_permission_cannot_read_or_export(
    alice_devices, login
):
    operator = UserFactory(username="operator", is_staff=True)
    operator.user_permissions.add(
        Permission.objects.get(codename="view_usersession"),
        Permission.objects.get(codename="revoke_usersession"),
    )
    browser = login(Client(), "operator")
    assert browser.get(EVENTS_URL).status_code == 403
    assert browser.get(f"{EVENTS_URL}export/").status_code == 403
    assert not Event.objects.filter(event_type=EventType.AUDIT_EXPORTED).exists()
