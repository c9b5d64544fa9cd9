"""The devices page: what it lists, ending one session, ending all others."""

import pytest
from django.test import Client

from sessions_audit.models import Event, EventType, Reason, UserSession
from tests.helpers import PASSWORD, cached, is_signed_in, reauthenticate, sid

pytestmark = pytest.mark.django_db(transaction=True)

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def devices(alice, login):
    laptop = login(Client(HTTP_USER_AGENT=FIREFOX), "alice")
    phone = login(Client(HTTP_USER_AGENT=SAFARI, REMOTE_ADDR="198.51.100.7"), "alice")
    tablet = login(Client(HTTP_USER_AGENT=SAFARI), "alice")
    return laptop, phone, tablet


def test_page_lists_every_session_with_device_ip_and_marker(devices):
    laptop = devices[0]
    response = laptop.get("/account/devices/")
    html = response.content.decode()
    assert html.count('data-test="session-row"') == 3
    assert html.count('data-test="this-device"') == 1
    assert "Firefox on Linux" in html
    assert "Mobile Safari on iOS" in html
    assert "198.51.100.7" in html
    assert "Password" in html
    current = response.context["sessions"]
    assert [s["is_current"] for s in current].count(True) == 1
    assert next(s for s in current if s["is_current"])["row"].session_key == sid(laptop)
    for client in devices:  # no session key reaches the page
        assert sid(client) not in html


def test_ending_another_device_asks_for_reauthentication_first(devices):
    laptop, phone, _ = devices
    phone_row = UserSession.objects.get(session_key=sid(phone))
    url = f"/account/devices/{phone_row.pk}/end/"

    response = laptop.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert is_signed_in(phone)

    reauthenticate(laptop)
    confirm = laptop.get(url)
    assert b'data-test="confirm-end"' in confirm.content
    response = laptop.post(url)

    assert response.status_code == 302
    assert not is_signed_in(phone)
    assert cached(sid(phone)) is None
    assert is_signed_in(laptop)
    event = Event.objects.get(event_type=EventType.SESSION_REVOKED)
    assert (event.reason, event.session_ref) == (Reason.SELF, phone_row.ref)


def test_signing_out_here_needs_no_reauthentication(devices, alice):
    laptop, phone, _ = devices
    row = UserSession.objects.get(session_key=sid(laptop))
    response = laptop.post(f"/account/devices/{row.pk}/end/")
    assert response["Location"] == "/accounts/login/"
    assert not is_signed_in(laptop)
    assert is_signed_in(phone)


def test_another_users_session_is_404(devices, bob, login):
    laptop, _, _ = devices
    bob_client = login(Client(), "bob")
    reauthenticate(bob_client)
    row = UserSession.objects.get(session_key=sid(laptop))
    assert bob_client.post(f"/account/devices/{row.pk}/end/").status_code == 404
    assert is_signed_in(laptop)


def test_end_all_others_needs_reauthentication_and_keeps_this_one(devices, alice):
    laptop, phone, tablet = devices
    response = laptop.post("/account/devices/end-others/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert is_signed_in(phone) and is_signed_in(tablet)

    reauthenticate(laptop)
    confirm = laptop.get("/account/devices/end-others/")
    assert b"This ends 2 other sessions." in confirm.content
    laptop.post("/account/devices/end-others/")

    assert is_signed_in(laptop)
    assert not is_signed_in(phone) and not is_signed_in(tablet)
    assert cached(sid(phone)) is None and cached(sid(tablet)) is None
    assert list(UserSession.objects.filter(user=alice).values_list("session_key")) == [
        (sid(laptop),)
    ]
    revoked = Event.objects.filter(event_type=EventType.SESSION_REVOKED)
    assert revoked.count() == 2
    assert {(e.actor, e.reason) for e in revoked} == {(alice, Reason.SELF)}
    summary = Event.objects.get(event_type=EventType.ALL_SESSIONS_REVOKED)
    assert summary.data["count"] == 2 and summary.data["kept_current"] is True


def test_reauthentication_resumes_the_suspended_end_all_others(devices, alice):
    laptop, phone, tablet = devices
    response = laptop.post("/account/devices/end-others/")
    reauth_url = response["Location"]
    assert "next=" in reauth_url

    # allauth replays the POST that asked for re-authentication.
    response = laptop.post(reauth_url, {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/account/devices/"
    assert is_signed_in(laptop)
    assert not is_signed_in(phone) and not is_signed_in(tablet)
    assert Event.objects.filter(event_type=EventType.REAUTHENTICATED).count() == 1
