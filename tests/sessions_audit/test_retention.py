"""Retention: old events are purged, the purge is audited, the chain verifies."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from sessions_audit import chain
from sessions_audit.models import AuditAnchor, Event, EventType
from sessions_audit.retention import purge_events
from sessions_audit.services import record_event

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _events_at(when: datetime, n: int) -> list[Event]:
    with time_machine.travel(when, tick=False):
        return [
            record_event(event_type=EventType.LOGIN_FAILED, data={"i": i})
            for i in range(n)
        ]


def test_purge_keeps_recent_events_audits_itself_and_anchors_the_chain(settings):
    settings.SESSIONS_AUDIT = {**settings.SESSIONS_AUDIT, "AUDIT_RETENTION_DAYS": 30}
    old = _events_at(NOW - timedelta(days=90), 3)
    recent = _events_at(NOW - timedelta(days=2), 2)

    with time_machine.travel(NOW, tick=False):
        call_command("purge_audit")

    remaining = list(Event.objects.order_by("id"))
    assert [e.pk for e in remaining[:2]] == [e.pk for e in recent]
    purge = remaining[-1]
    assert purge.event_type == EventType.AUDIT_PURGED
    assert purge.data["purged_count"] == 3
    assert purge.data["before"] == "2026-11-03T12:00:00.000000Z"
    assert purge.data["source"] == "command"
    assert not Event.objects.filter(pk__in=[e.pk for e in old]).exists()
    anchor = AuditAnchor.objects.get()
    assert anchor.first_event_id == recent[0].pk
    assert anchor.prev_hash == old[-1].chain_hash
    assert anchor.purged_count == 3
    verdict = chain.verify()
    assert verdict.ok, verdict
    assert verdict.checked == 3


def test_purging_everything_anchors_at_the_purge_event():
    _events_at(NOW - timedelta(days=500), 2)
    with time_machine.travel(NOW, tick=False):
        result = purge_events(before=NOW - timedelta(days=400))
    assert result.purged == 2
    assert list(Event.objects.values_list("pk", flat=True)) == [result.event.pk]
    assert AuditAnchor.objects.get().first_event_id == result.event.pk
    assert chain.verify().ok


def test_nothing_to_purge_is_still_audited_without_an_anchor():
    _events_at(NOW - timedelta(days=1), 2)
    with time_machine.travel(NOW, tick=False):
        result = purge_events(before=NOW - timedelta(days=400))
    assert result.purged == 0
    assert Event.objects.count() == 3
    assert not AuditAnchor.objects.exists()
    assert chain.verify().ok


def test_chain_after_two_purges_verifies_and_later_tampering_is_found():
    _events_at(NOW - timedelta(days=100), 2)
    _events_at(NOW - timedelta(days=50), 2)
    kept = _events_at(NOW - timedelta(days=1), 2)
    with time_machine.travel(NOW, tick=False):
        purge_events(before=NOW - timedelta(days=80))
        purge_events(before=NOW - timedelta(days=10))
    assert chain.verify().ok
    assert AuditAnchor.objects.count() == 2
    assert Event.objects.order_by("id").first().pk == kept[0].pk
