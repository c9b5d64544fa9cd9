"""Append-only: the ORM refuses, and on PostgreSQL so does a trigger."""

import pytest
from django.db import DatabaseError, connection, transaction

from sessions_audit.models import AuditAnchor, Event, EventType
from sessions_audit.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return record_event(event_type=EventType.LOGGED_OUT, reason="logout")


def test_orm_refuses_save_of_an_existing_event(event):
    event.reason = "changed"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    assert Event.objects.get(pk=event.pk).reason == "logout"


def test_orm_refuses_delete_and_bulk_update(event):
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        Event.objects.all().delete()
    with pytest.raises(TypeError, match="append-only"):
        Event.objects.filter(pk=event.pk).update(reason="x")
    assert Event.objects.filter(pk=event.pk, reason="logout").exists()


def _raw(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _refused(sql: str, params=None, *, purge_setting: bool = False) -> str:
    with pytest.raises(DatabaseError) as refusal, transaction.atomic():
        if purge_setting:
            _raw("SELECT set_config('sessions_audit.purge', 'on', true)")
        _raw(sql, params)
    return str(refusal.value)


def test_trigger_refuses_raw_update_and_delete(on_postgres, event):
    message = _refused(
        "UPDATE sessions_audit_event SET reason = 'x' WHERE id = %s", [event.pk]
    )
    assert "UPDATE on sessions_audit_event refused" in message
    message = _refused("DELETE FROM sessions_audit_event WHERE id = %s", [event.pk])
    assert "DELETE on sessions_audit_event refused" in message
    assert Event.objects.filter(pk=event.pk, reason="logout").exists()


def test_purge_setting_allows_delete_only(on_postgres, event):
    # The purge's switch never allows an UPDATE, nor any change to anchors.
    _refused(
        "UPDATE sessions_audit_event SET reason = 'x' WHERE id = %s",
        [event.pk],
        purge_setting=True,
    )
    AuditAnchor.objects.create(
        created_at=event.created_at,
        first_event_id=event.pk,
        prev_hash=event.prev_hash,
        purged_count=1,
        cutoff=event.created_at,
    )
    assert "DELETE on sessions_audit_auditanchor refused" in _refused(
        "DELETE FROM sessions_audit_auditanchor", purge_setting=True
    )
    assert "UPDATE on sessions_audit_auditanchor refused" in _refused(
        "UPDATE sessions_audit_auditanchor SET purged_count = 0", purge_setting=True
    )


@pytest.mark.django_db(transaction=True)
def test_purge_setting_ends_with_its_transaction(on_postgres, event):
    with transaction.atomic():
        _raw("SELECT set_config('sessions_audit.purge', 'on', true)")
    assert "DELETE on sessions_audit_event refused" in _refused(
        "DELETE FROM sessions_audit_event"
    )
    assert Event.objects.filter(pk=event.pk).exists()


def test_purge_switches_the_setting_off_again_inside_an_outer_transaction(
    on_postgres, event
):
    from datetime import timedelta

    from sessions_audit.retention import purge_events

    with transaction.atomic():
        purge_events(before=event.created_at + timedelta(seconds=1))
        assert "DELETE on sessions_audit_event refused" in _refused(
            "DELETE FROM sessions_audit_event"
        )
    assert Event.objects.get().event_type == EventType.AUDIT_PURGED
