"""Idle and absolute timeouts, enforced from the registry row on every request."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from sessions_audit.app_settings import app_settings
from sessions_audit.models import Event, EventType, Reason, UserSession
from tests.helpers import cached, is_signed_in, reauthenticate, sid

pytestmark = pytest.mark.django_db

START = "2026-01-01 08:00:00+00:00"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def _expired(reason: str) -> Event:
    return Event.objects.get(event_type=EventType.SESSION_EXPIRED, reason=reason)


def test_defaults_match_the_readme_table():
    defaults = {
        "idle": app_settings.IDLE_TIMEOUT,
        "staff_idle": app_settings.STAFF_IDLE_TIMEOUT,
        "absolute": app_settings.ABSOLUTE_TIMEOUT,
        "activity_window": app_settings.ACTIVITY_WINDOW,
        "max_sessions": app_settings.MAX_SESSIONS_PER_USER,
    }
    assert defaults == {
        "idle": timedelta(minutes=30),
        "staff_idle": timedelta(minutes=15),
        "absolute": timedelta(hours=12),
        "activity_window": timedelta(seconds=60),
        "max_sessions": 10,
    }
    # Inside NIST SP 800-63B-4 (AAL2: inactivity <= 1 h, overall <= 24 h).
    assert defaults["idle"] <= timedelta(hours=1)
    assert defaults["absolute"] <= timedelta(hours=24)
    # The stores keep a session at most an hour past the absolute timeout.
    assert settings.SESSION_COOKIE_AGE == 13 * 3600


def test_activity_resets_the_idle_timer(client, alice, login, clock):
    login(client, "alice")
    clock.shift(timedelta(minutes=30) - timedelta(seconds=1))
    assert is_signed_in(client)
    clock.shift(timedelta(minutes=30) - timedelta(seconds=1))
    assert is_signed_in(client)
    assert not Event.objects.filter(event_type=EventType.SESSION_EXPIRED).exists()


def test_idle_timeout_signs_out_and_is_audited(client, alice, login, clock):
    login(client, "alice")
    key, ref = sid(client), UserSession.objects.get(user=alice).ref
    clock.shift(timedelta(minutes=30, seconds=1))

    assert not is_signed_in(client)

    assert not UserSession.objects.filter(user=alice).exists()
    assert not Session.objects.filter(pk=key).exists()
    assert cached(key) is None
    event = _expired(Reason.IDLE)
    assert (event.subject, event.actor, event.session_ref) == (alice, None, ref)
    assert Event.objects.filter(event_type=EventType.SESSION_EXPIRED).count() == 1
    # Replaying the cookie by hand (a browser would have kept it) still fails.
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert not is_signed_in(replay)


def test_staff_idle_timeout_is_shorter(client, staff_admin, login, clock):
    login(client, "boss")
    clock.shift(timedelta(minutes=15, seconds=1))
    assert not is_signed_in(client)
    assert _expired(Reason.IDLE).subject == staff_admin


def test_user_is_not_held_to_the_staff_timeout(client, alice, login, clock):
    login(client, "alice")
    clock.shift(timedelta(minutes=20))
    assert is_signed_in(client)


def test_absolute_timeout_fires_despite_activity(client, alice, login, clock):
    login(client, "alice")
    for _ in range(12 * 6 - 1):  # a request every 10 minutes for 11 h 50 min
        clock.shift(timedelta(minutes=10))
        assert is_signed_in(client)
    clock.shift(timedelta(minutes=10, seconds=1))
    assert not is_signed_in(client)
    event = _expired(Reason.ABSOLUTE)
    assert event.subject == alice
    assert event.data["signed_in_at"] == "2026-01-01T08:00:00+00:00"


def test_timeouts_are_settings(client, alice, login, clock, settings):
    settings.SESSIONS_AUDIT = {**settings.SESSIONS_AUDIT, "IDLE_TIMEOUT_SECONDS": 120}
    login(client, "alice")
    clock.shift(121)
    assert not is_signed_in(client)
    assert _expired(Reason.IDLE)


def test_reauthentication_resets_both_timers(client, alice, login, clock):
    login(client, "alice")
    for _ in range(11 * 6):  # active every 10 minutes for 11 h
        clock.shift(timedelta(minutes=10))
        assert is_signed_in(client)
    reauthenticate(client)
    row = UserSession.objects.get(user=alice)
    assert row.auth_at.isoformat() == "2026-01-01T19:00:00+00:00"
    event = Event.objects.get(event_type=EventType.REAUTHENTICATED)
    assert (event.subject, event.session_ref, event.method) == (
        alice,
        row.ref,
        "password",
    )
    # Past the original 12 h, still signed in: the absolute timer restarted.
    for _ in range(12):
        clock.shift(timedelta(minutes=10))
        assert is_signed_in(client)
    assert row.created_at.isoformat() == "2026-01-01T08:00:00+00:00"
    # Active until 12 h after the re-authentication (19:00), then it ends.
    deadline = row.auth_at + timedelta(hours=12)
    while timezone.now() + timedelta(minutes=10) < deadline:
        clock.shift(timedelta(minutes=10))
        assert is_signed_in(client)
    clock.move_to(deadline + timedelta(seconds=1), tick=False)
    assert not is_signed_in(client)
    assert _expired(Reason.ABSOLUTE)


def test_reauthentication_rotates_the_session_key(client, alice, login):
    login(client, "alice")
    before = sid(client)
    reauthenticate(client)
    assert sid(client) != before
    assert UserSession.objects.get(user=alice).session_key == sid(client)
    assert is_signed_in(client)
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = before
    assert not is_signed_in(replay)
    assert Event.objects.filter(event_type=EventType.SESSION_ROTATED).count() == 1


def _readme_table(heading: str) -> dict[str, str]:
    text = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n#", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines() if line[:2] == "| "]
    return {cells[0].strip(): cells[1].strip() for cells in rows[1:]}


def test_readme_timeout_table_matches_the_settings():
    table = _readme_table("### Timeouts")
    assert table["idle (inactivity) timeout, users"].startswith(
        f"{app_settings.IDLE_TIMEOUT.seconds // 60} min"
    )
    assert table["idle timeout, staff"].startswith(
        f"{app_settings.STAFF_IDLE_TIMEOUT.seconds // 60} min"
    )
    assert table[
        "absolute (overall) timeout, from sign-in or re-authentication"
    ].startswith(f"{app_settings.ABSOLUTE_TIMEOUT.seconds // 3600} h")
    assert table["re-authentication counts as recent for"].startswith(
        f"{settings.ACCOUNT_REAUTHENTICATION_TIMEOUT // 60} min"
    )
    assert table["concurrent sessions per user"].startswith(
        str(app_settings.MAX_SESSIONS_PER_USER)
    )
    assert table["last-seen write at most once per"].startswith(
        f"{app_settings.ACTIVITY_WINDOW.seconds} s"
    )


def test_timeout_check_costs_no_extra_query(
    client, alice, login, clock, django_assert_num_queries
):
    login(client, "alice")
    client.get("/")
    clock.shift(timedelta(minutes=29))
    client.get("/")  # the throttled last-seen write happens here
    clock.shift(timedelta(seconds=30))
    with django_assert_num_queries(1):
        assert client.get("/").status_code == 200
