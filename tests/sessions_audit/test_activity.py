"""Activity tracking: throttled, except that a client change is written at once."""

import pytest
from django.test import Client

from sessions_audit.models import Event, EventType, UserSession
from tests.helpers import is_signed_in

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36"
)


@pytest.fixture
def signed_in(alice, login, time_machine):
    time_machine.move_to("2026-01-01 12:00:00+00:00", tick=False)
    client = Client(HTTP_USER_AGENT=FIREFOX)
    login(client, "alice")
    return client


def test_no_write_inside_the_window(signed_in, alice, time_machine):
    first = UserSession.objects.get(user=alice).last_seen_at
    for _ in range(5):
        time_machine.shift(10)
        signed_in.get("/")
    assert UserSession.objects.get(user=alice).last_seen_at == first
    assert not Event.objects.filter(event_type=EventType.CLIENT_CHANGED).exists()


def test_window_is_a_setting(signed_in, alice, time_machine, settings):
    settings.SESSIONS_AUDIT = {**settings.SESSIONS_AUDIT, "ACTIVITY_WINDOW_SECONDS": 5}
    time_machine.shift(6)
    signed_in.get("/")
    row = UserSession.objects.get(user=alice)
    assert row.last_seen_at.isoformat() == "2026-01-01T12:00:06+00:00"


def test_user_agent_change_is_written_at_once_and_audited(
    signed_in, alice, time_machine
):
    time_machine.shift(5)  # inside the window
    signed_in.get("/", HTTP_USER_AGENT=CHROME)
    row = UserSession.objects.get(user=alice)
    assert row.user_agent == CHROME
    assert row.last_seen_at.isoformat() == "2026-01-01T12:00:05+00:00"
    event = Event.objects.get(event_type=EventType.CLIENT_CHANGED)
    assert (event.actor, event.subject, event.session_ref) == (alice, alice, row.ref)
    assert event.data == {
        "old_ip": "127.0.0.1",
        "new_ip": "127.0.0.1",
        "old_device": "Firefox on Linux",
        "new_device": "Chrome on Windows",
    }
    assert event.user_agent == CHROME
    # Same new client again: nothing more to record.
    signed_in.get("/", HTTP_USER_AGENT=CHROME)
    assert Event.objects.filter(event_type=EventType.CLIENT_CHANGED).count() == 1


def test_ip_change_is_written_at_once_and_audited(signed_in, alice, time_machine):
    time_machine.shift(5)
    signed_in.get("/", REMOTE_ADDR="203.0.113.9")
    assert UserSession.objects.get(user=alice).ip == "203.0.113.9"
    event = Event.objects.get(event_type=EventType.CLIENT_CHANGED)
    assert (event.data["old_ip"], event.data["new_ip"], event.ip) == (
        "127.0.0.1",
        "203.0.113.9",
        "203.0.113.9",
    )
    assert is_signed_in(signed_in)  # audited, not refused


def test_unchanged_client_request_costs_one_query(
    signed_in, time_machine, django_assert_num_queries
):
    signed_in.get("/")
    time_machine.shift(10)
    with django_assert_num_queries(1):
        signed_in.get("/")
