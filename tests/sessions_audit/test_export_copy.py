"""PostgreSQL's own CSV (COPY ... TO STDOUT) is byte-identical to the Python path."""

import csv
import io
from datetime import UTC, datetime

import pytest

from sessions_audit import selectors
from sessions_audit.export import COLUMNS, DANGEROUS_LEADING, write_export
from sessions_audit.models import Event, EventType
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NASTY = [
    '=1+2";=1+2',
    "=1+2'\" ;,=1+2",
    'a,=HYPERLINK("http://x")',
    "a\n=1+1",
    "line\r\nbreak",
    'ends with quote"',
    '"',
    "",
    "plain",
    "ünïcödé ✓ 𝄞",
    *(lead + "cmd" for lead in DANGEROUS_LEADING if lead != "\0"),
]


def _both(events) -> tuple[bytes, bytes]:
    fast, slow = io.BytesIO(), io.BytesIO()
    rows_fast = write_export(events, fast, use_copy=True)
    rows_slow = write_export(events, slow, use_copy=False)
    assert rows_fast == rows_slow
    return fast.getvalue(), slow.getvalue()


@pytest.fixture
def nasty_events(on_postgres):
    alice = UserFactory(username="alice")
    events = []
    for i, text in enumerate(NASTY):
        events.append(
            Event(
                created_at=datetime(2026, 12, 3, 9, 30, i, i * 1013, tzinfo=UTC),
                event_type=EventType.LOGIN_FAILED,
                actor=alice if i % 2 else None,
                actor_label=text if i % 2 else "",
                subject=alice,
                subject_label=text,
                session_ref=text[:32],
                method=text[:16],
                reason=text[:40],
                ip=["203.0.113.9", "2001:db8::1", None][i % 3],
                user_agent=text,
                data={
                    "username": text,
                    "ab": i,
                    "b": {"zz": [1, None, True], "y": -i},
                    "note": "-1" if i % 2 else "=cmd",
                },
            )
        )
    events.append(
        Event(created_at=datetime(2026, 12, 4, tzinfo=UTC), event_type="x", data={})
    )
    events.append(
        Event(created_at=datetime(2026, 12, 5, tzinfo=UTC), event_type="y", data=-5)
    )
    Event.objects.bulk_create(events)
    return alice


def test_copy_path_is_byte_identical_to_the_python_path(nasty_events):
    fast, slow = _both(Event.objects.all())
    assert fast == slow
    rows = list(csv.reader(io.StringIO(fast.decode(), newline="")))
    assert rows[0] == COLUMNS
    assert len(rows) == len(NASTY) + 3
    assert all(len(row) == len(COLUMNS) for row in rows)
    assert rows[-1][COLUMNS.index("data")] == "'-5"  # neutralised in SQL too
    assert fast.count(b"\r\n") >= len(rows)


def test_copy_path_follows_the_selector_filters(nasty_events):
    events = selectors.audit_events(
        user=nasty_events,
        since=datetime(2026, 12, 3, 9, 30, 5, tzinfo=UTC),
        until=datetime(2026, 12, 4, tzinfo=UTC),
        types=[EventType.LOGIN_FAILED],
        ip="203.0.113.9",
    )
    fast, slow = _both(events)
    assert fast == slow
    ids = [row[0] for row in csv.reader(io.StringIO(fast.decode(), newline=""))]
    assert ids[1:] == [str(pk) for pk in events.values_list("id", flat=True)]
    assert len(ids) > 2


def test_copy_path_of_nothing_is_just_the_header(on_postgres):
    fast, slow = _both(Event.objects.none())
    assert fast == slow == (",".join(f'"{c}"' for c in COLUMNS) + "\r\n").encode()
