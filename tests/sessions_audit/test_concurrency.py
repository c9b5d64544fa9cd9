"""The concurrent-session limit: a sign-in beyond it ends the oldest session."""

import pytest
from django.test import Client

from sessions_audit.models import Event, EventType, Reason, UserSession
from tests.helpers import cached, is_signed_in, sid

pytestmark = pytest.mark.django_db


def test_sign_in_beyond_the_limit_ends_the_oldest(alice, login, time_machine):
    time_machine.move_to("2026-01-01 12:00:00+00:00", tick=False)
    clients = []
    for _ in range(11):
        time_machine.shift(1)
        clients.append(login(Client(), "alice"))
    oldest = clients[0]

    assert not is_signed_in(oldest)
    assert cached(sid(oldest)) is None
    assert all(is_signed_in(c) for c in clients[1:])
    assert UserSession.objects.filter(user=alice).count() == 10
    event = Event.objects.get(event_type=EventType.SESSION_REVOKED)
    assert (event.reason, event.actor, event.subject) == (
        Reason.CONCURRENCY_LIMIT,
        alice,
        alice,
    )


def test_limit_is_a_setting(alice, login, settings):
    settings.SESSIONS_AUDIT = {**settings.SESSIONS_AUDIT, "MAX_SESSIONS_PER_USER": 2}
    first, second, third = (login(Client(), "alice") for _ in range(3))
    assert not is_signed_in(first)
    assert is_signed_in(second) and is_signed_in(third)
    assert (
        Event.objects.filter(
            event_type=EventType.SESSION_REVOKED, reason=Reason.CONCURRENCY_LIMIT
        ).count()
        == 1
    )


def test_other_users_do_not_count(alice, bob, login, settings):
    settings.SESSIONS_AUDIT = {**settings.SESSIONS_AUDIT, "MAX_SESSIONS_PER_USER": 1}
    a = login(Client(), "alice")
    b = login(Client(), "bob")
    assert is_signed_in(a) and is_signed_in(b)
