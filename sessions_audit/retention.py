"""Retention: purge events older than the retention period, keep the chain whole.

This module holds the one way around the append-only guards. The ORM refuses
every delete of an event, so the purge deletes with one raw SQL statement; on
PostgreSQL the trigger lets that DELETE through only because the purge's own
transaction sets the transaction-local ``sessions_audit.purge`` to ``on``
(migration 0004). Nothing else in the app sets it, and it ends with the
transaction.

The first kept event still names a purged event as its predecessor, so the
purge records an anchor (``AuditAnchor``) with that event's id and
``prev_hash``: ``verify_audit`` starts there.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from . import chain
from .models import AuditAnchor, Event, EventType
from .services import record_event


@dataclass(frozen=True)
class Purge:
    purged: int
    first_kept_id: int
    event: Event


def _delete_before(event_id: int) -> None:
    table = connection.ops.quote_name(Event._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('sessions_audit.purge', 'on', true)")
        cursor.execute(f"DELETE FROM {table} WHERE id < %s", [event_id])  # noqa: S608
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('sessions_audit.purge', 'off', true)")


def purge_events(
    *,
    before: datetime,
    actor: AbstractBaseUser | None = None,
    data: dict | None = None,
) -> Purge:
    """Delete the events older than ``before``; audit it as ``audit_purged``.

    Events are removed by id up to the first event created at or after
    ``before``, so the kept part of the chain is one unbroken run.
    """
    with transaction.atomic():
        chain.lock()  # no append may move the head while the purge decides
        kept = Event.objects.filter(created_at__gte=before).order_by("id").first()
        doomed = (
            Event.objects.all()
            if kept is None
            else Event.objects.filter(id__lt=kept.pk)
        )
        count = doomed.count()
        event = record_event(
            event_type=EventType.AUDIT_PURGED,
            actor=actor,
            data={
                **(data or {}),
                "before": chain.utc_iso(before),
                "purged_count": count,
            },
        )
        first = kept or event
        if count:
            AuditAnchor.objects.create(
                created_at=timezone.now(),
                first_event_id=first.pk,
                prev_hash=first.prev_hash,
                purged_count=count,
                cutoff=before,
            )
            _delete_before(first.pk)
    return Purge(purged=count, first_kept_id=first.pk, event=event)
