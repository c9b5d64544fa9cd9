"""The user change page: the user's sessions, an end button each, Revoke all devices."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from sessions_audit.models import Event, EventType, Reason, UserSession
from tests.factories import UserFactory
from tests.helpers import cached, is_signed_in, sid

# Not transactional: a flush would drop the Auditors group that the
# migration creates, which later test modules (tests/e2e) rely on.
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(staff_admin, login):
    return login(Client(), "boss")


@pytest.fixture
def alice_devices(alice, login):
    return login(Client(), "alice"), login(Client(), "alice")


def _change_url(user) -> str:
    return f"/admin/accounts/user/{user.pk}/change/"


def test_change_page_lists_sessions_with_end_buttons(
    admin_browser, alice, alice_devices
):
    html = admin_browser.get(_change_url(alice)).content.decode()
    assert html.count('data-test="user-session-row"') == 2
    assert html.count('data-test="end-user-session"') == 2
    assert "Revoke all devices" in html
    for device in alice_devices:
        assert sid(device) not in html


def test_end_button_asks_reason_then_ends_that_session(
    admin_browser, alice, alice_devices, staff_admin
):
    laptop, phone = alice_devices
    row = UserSession.objects.get(session_key=sid(phone))
    url = f"/admin/accounts/user/{alice.pk}/sessions/end/"

    first = admin_browser.post(url, {"session": str(row.pk)})
    assert first.status_code == 200
    assert "This will end 1 session now." in first.content.decode()
    assert is_signed_in(phone)

    done = admin_browser.post(
        url, {"session": str(row.pk), "confirm": "yes", "note": "lost phone"}
    )

    assert done["Location"] == _change_url(alice)
    assert not is_signed_in(phone)
    assert cached(sid(phone)) is None
    assert is_signed_in(laptop)
    event = Event.objects.get(event_type=EventType.SESSION_REVOKED)
    assert (event.actor, event.subject, event.reason, event.data) == (
        staff_admin,
        alice,
        Reason.ADMIN,
        {"note": "lost phone"},
    )


def test_end_button_with_bad_session_id_is_not_a_500(admin_browser, alice):
    url = f"/admin/accounts/user/{alice.pk}/sessions/end/"
    response = admin_browser.post(url, {"session": "not-a-uuid"})
    assert response.status_code == 302
    assert admin_browser.get(url).status_code == 403  # POST only


def test_revoke_all_devices_from_the_change_form(
    admin_browser, alice, alice_devices, staff_admin
):
    data = {
        "CHANGE_FORM-action": "revoke_all_devices_action",
        "_selected_action": alice.pk,
    }
    first = admin_browser.post(_change_url(alice), data)
    assert "This will end 2 sessions now." in first.content.decode()
    assert all(is_signed_in(d) for d in alice_devices)

    done = admin_browser.post(
        _change_url(alice), {**data, "confirm": "yes", "note": "account takeover"}
    )

    assert done.status_code == 302
    assert not any(is_signed_in(d) for d in alice_devices)
    assert not UserSession.objects.filter(user=alice).exists()
    revoked = Event.objects.filter(event_type=EventType.SESSION_REVOKED)
    assert revoked.count() == 2
    assert {(e.actor, e.reason) for e in revoked} == {(staff_admin, Reason.ADMIN)}
    assert is_signed_in(admin_browser)


def test_staff_without_revoke_permission_sees_no_buttons(alice, alice_devices, login):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    browser = login(Client(), "viewer")
    html = browser.get(_change_url(alice)).content.decode()
    assert html.count('data-test="user-session-row"') == 2
    assert 'data-test="end-user-session"' not in html
    row = UserSession.objects.get(session_key=sid(alice_devices[0]))
    response = browser.post(
        f"/admin/accounts/user/{alice.pk}/sessions/end/",
        {"session": str(row.pk), "confirm": "yes", "note": "x"},
    )
    assert response.status_code == 403
    assert is_signed_in(alice_devices[0])
