"""The audit log's hash chain: each event's hash covers the previous one.

``chain_hash`` is SHA-256 over a canonical serialisation of the event's fields
(sorted-key compact JSON, UTC times with microseconds, the previous event's
hash included). Changing, removing or inserting a row therefore breaks a link
that ``manage.py verify_audit`` reports. The serialisation is frozen: version 1
is what every stored hash was computed with, on SQLite and PostgreSQL alike.

Appends are serialised: on PostgreSQL a transaction-scoped advisory lock is
taken before the chain head is read and held until the surrounding transaction
(the state change the event belongs to) commits or rolls back, so concurrent
writers can never link two events to the same predecessor. SQLite serialises
writers by itself. Because the lock is held to the end of the transaction, a
service should take its own row locks before it records its first event.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction

from .models import AuditAnchor, AuditChainHead, Event

GENESIS = "0" * 64
VERSION = 1
# pg_advisory_xact_lock key: any constant the app uses for nothing else.
LOCK_KEY = 0x5E55_A0D1
HASHED_FIELDS = (
    "created_at",
    "event_type",
    "actor_id",
    "actor_label",
    "subject_id",
    "subject_label",
    "session_ref",
    "method",
    "reason",
    "ip",
    "user_agent",
    "data",
    "prev_hash",
)


def utc_iso(value: datetime) -> str:
    """UTC ISO 8601 with microseconds, the one time format of the audit log."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(fields: dict[str, Any]) -> bytes:
    """The bytes that are hashed: sorted-key compact JSON of the fields."""
    body = {name: fields[name] for name in HASHED_FIELDS}
    body["created_at"] = utc_iso(body["created_at"])
    body["v"] = VERSION
    return json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def compute_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


def lock() -> None:
    """Serialise chain appends until the current transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def append(event: Event) -> Event:
    """Link ``event`` to the chain head, insert it and move the head.

    Runs inside the caller's transaction (or its own), so the event, the
    state change it records and the head move commit or roll back together.
    """
    # Store what will be read back: JSON round trip (tuples become lists) and
    # the database's own form of the IP address.
    event.data = json.loads(json.dumps(event.data or {}))
    event.ip = Event._meta.get_field("ip").to_python(event.ip) or None
    with transaction.atomic():
        lock()
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        event.prev_hash = head.last_hash if head else GENESIS
        event.chain_hash = compute_hash(vars(event))
        event.save(force_insert=True)
        AuditChainHead.objects.update_or_create(
            pk=1, defaults={"last_event_id": event.pk, "last_hash": event.chain_hash}
        )
    return event


@dataclass(frozen=True)
class Verdict:
    """What ``verify`` found: ``event_id`` names the first bad link."""

    ok: bool
    checked: int
    event_id: int | None = None
    problem: str = ""


def _rows(start: int) -> Iterator[dict[str, Any]]:
    names = ("id", *HASHED_FIELDS, "chain_hash")
    rows = Event.objects.filter(id__gte=start).order_by("id").values_list(*names)
    for row in rows.iterator(chunk_size=5000):
        yield dict(zip(names, row, strict=True))


def verify() -> Verdict:
    """Walk the chain from the newest anchor (or the start) to the head."""
    anchor = AuditAnchor.objects.order_by("-first_event_id").first()
    expected = anchor.prev_hash if anchor else GENESIS
    start = anchor.first_event_id if anchor else 0
    checked = 0
    last_id = None
    for row in _rows(start):
        if row["prev_hash"] != expected:
            return Verdict(
                False,
                checked,
                row["id"],
                f"event {row['id']} does not link to the event before it "
                "(a missing or altered predecessor)",
            )
        if compute_hash(row) != row["chain_hash"]:
            return Verdict(False, checked, row["id"], f"event {row['id']} was altered")
        expected = row["chain_hash"]
        last_id = row["id"]
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash, head.last_event_id) != (
        expected,
        last_id,
    ):
        return Verdict(
            False,
            checked,
            head.last_event_id,
            f"the chain head names event {head.last_event_id}, the newest "
            f"linked event is {last_id} (events missing at the end)",
        )
    if head is None and checked:
        return Verdict(False, checked, last_id, "the chain head is missing")
    return Verdict(True, checked)
