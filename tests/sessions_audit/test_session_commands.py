"""Management commands: the kill switch and the expiry clean-up."""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from sessions_audit.models import Event, EventType, Reason, UserSession
from tests.helpers import cached, is_signed_in, sid

pytestmark = pytest.mark.django_db(transaction=True)


def test_kill_switch_ends_every_session_of_every_user(alice, bob, staff_admin, login):
    clients = [login(Client(), name) for name in ("alice", "alice", "bob", "boss")]
    keys = [sid(c) for c in clients]
    out = io.StringIO()

    call_command("revoke_all_sessions", "--yes", "--note", "incident 42", stdout=out)

    assert "Ended 4 sessions of 3 users." in out.getvalue()
    assert not any(is_signed_in(c) for c in clients)  # the admin's own too
    assert not UserSession.objects.exists()
    assert not Session.objects.filter(pk__in=keys).exists()
    assert all(cached(key) is None for key in keys)
    revoked = Event.objects.filter(event_type=EventType.SESSION_REVOKED)
    assert revoked.count() == 4
    assert {(e.reason, e.actor_id) for e in revoked} == {(Reason.KILL_SWITCH, None)}
    everyone = Event.objects.filter(
        event_type=EventType.ALL_SESSIONS_REVOKED, subject=None
    ).get()
    assert everyone.data == {
        "users": 3,
        "count": 4,
        "scope": "everyone",
        "note": "incident 42",
    }
    alice.refresh_from_db()
    assert alice.session_epoch == 2  # moved for everyone, then by revoke-all


def test_kill_switch_refuses_without_confirmation(alice, login):
    client = login(Client(), "alice")
    with pytest.raises(CommandError):
        call_command("revoke_all_sessions", interactive=False)
    assert is_signed_in(client)


def _clean(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("expire_sessions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_clean_up_expires_timed_out_sessions_everywhere(
    alice, bob, login, time_machine
):
    time_machine.move_to("2026-01-01 08:00:00+00:00", tick=False)
    idle = login(Client(), "alice")
    time_machine.shift(timedelta(minutes=20))
    fresh = login(Client(), "bob")
    time_machine.shift(timedelta(minutes=11))  # alice idle 31 min, bob 11
    idle_key = sid(idle)
    # An anonymous store whose time is up (a pre-sign-in session).
    anon = Session.objects.create(
        session_key="x" * 32,
        session_data="",
        expire_date=timezone.now() - timedelta(seconds=1),
    )
    caches[settings.SESSION_CACHE_ALIAS].set(KEY_PREFIX + anon.pk, {"a": 1})

    out, _ = _clean()

    assert "Ended 1 timed-out sessions" in out
    assert not UserSession.objects.filter(user=alice).exists()
    assert not Session.objects.filter(pk=idle_key).exists()
    assert cached(idle_key) is None
    assert not Session.objects.filter(pk=anon.pk).exists()
    assert cached(anon.pk) is None
    event = Event.objects.get(event_type=EventType.SESSION_EXPIRED)
    assert (event.subject, event.reason) == (alice, Reason.IDLE)
    assert is_signed_in(fresh)
    # Nothing left to do: a second run ends nothing and writes no event.
    out, _ = _clean()
    assert "Ended 0 timed-out sessions" in out
    assert Event.objects.filter(event_type=EventType.SESSION_EXPIRED).count() == 1


def test_clean_up_uses_each_rows_own_timeouts(alice, staff_admin, login, time_machine):
    time_machine.move_to("2026-01-01 08:00:00+00:00", tick=False)
    user, admin = login(Client(), "alice"), login(Client(), "boss")
    time_machine.shift(timedelta(minutes=16))
    _clean()
    assert UserSession.objects.filter(user=alice).exists()
    assert not UserSession.objects.filter(user=staff_admin).exists()
    time_machine.shift(timedelta(hours=12))
    _clean()
    assert Event.objects.filter(event_type=EventType.SESSION_EXPIRED).count() == 2
    assert not is_signed_in(user) and not is_signed_in(admin)


def test_clean_up_shows_a_progress_bar_on_a_large_store(db, settings):
    settings.SESSIONS_AUDIT = {
        **settings.SESSIONS_AUDIT,
        "CLEANUP_PROGRESS_THRESHOLD": 50,
    }
    past = timezone.now() - timedelta(days=1)
    Session.objects.bulk_create(
        Session(session_key=f"{n:032d}", session_data="", expire_date=past)
        for n in range(60)
    )
    _, err = _clean()
    assert "60/60" in err
    assert not Session.objects.exists()


def test_clean_up_is_quiet_on_a_small_store(db):
    _, err = _clean()
    assert err == ""
