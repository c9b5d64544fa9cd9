"""The audit log as CSV: one pure writer behind every export path.

Columns are stable (see README). Every field is quoted (RFC 4180) and any cell
that a spreadsheet would read as a formula gets a leading apostrophe (OWASP
CSV injection: = + - @ tab CR LF NUL).
"""

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO

from .models import Event

COLUMNS = [
    "id",
    "created_at",
    "event_type",
    "actor_id",
    "actor",
    "subject_id",
    "subject",
    "session_ref",
    "method",
    "reason",
    "ip",
    "user_agent",
    "data",
]
DANGEROUS_LEADING = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def neutralise(value: str) -> str:
    """Prefix a cell that would start a spreadsheet formula with ``'``."""
    return "'" + value if value.startswith(DANGEROUS_LEADING) else value


def _row(event: Event) -> list[str]:
    return [
        str(event.id),
        event.created_at.isoformat().replace("+00:00", "Z"),
        event.event_type,
        "" if event.actor_id is None else str(event.actor_id),
        event.actor_label,
        "" if event.subject_id is None else str(event.subject_id),
        event.subject_label,
        event.session_ref,
        event.method,
        event.reason,
        event.ip or "",
        event.user_agent,
        json.dumps(event.data, sort_keys=True, ensure_ascii=False)
        if event.data
        else "",
    ]


class _Line:
    """A file-like object that hands back what csv.writer writes."""

    def write(self, value: str) -> str:
        return value


def iter_csv(events: Iterable[Event]) -> Iterator[str]:
    """Yield the CSV text line by line: the header, then one line per event."""
    writer = csv.writer(_Line(), quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    yield writer.writerow(COLUMNS)
    for event in events:
        yield writer.writerow([neutralise(cell) for cell in _row(event)])


def write_csv(events: Iterable[Event], out: IO[str]) -> int:
    """Write the events as CSV to ``out``; return the number of event rows."""
    count = -1
    for count, line in enumerate(iter_csv(events)):  # noqa: B007
        out.write(line)
    return count
