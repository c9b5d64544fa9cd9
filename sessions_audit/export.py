"""The audit log as CSV or JSON Lines: one export function behind every path.

``export_chunks(events, fmt=...)`` is what the admin action, the auditor page,
``manage.py export_audit`` and the API call (``write_export`` and
``responses.export_response`` wrap it). It yields UTF-8 bytes in bounded chunks,
so an export of any size runs in constant memory.

CSV columns are stable (see README). Every field is quoted (RFC 4180, CRLF line
ends) and any cell that a spreadsheet would read as a formula gets a leading
apostrophe (OWASP CSV injection: = + - @ tab CR LF NUL). Times are UTC ISO 8601
with microseconds. ``data`` is JSON with its keys in PostgreSQL's jsonb order
(shorter keys first, then bytewise), which is what lets the two CSV paths agree:

- on PostgreSQL, PostgreSQL writes the CSV itself (``COPY (SELECT ...) TO STDOUT
  WITH CSV FORCE QUOTE *``, neutralisation in the SQL), streamed through
  psycopg's ``copy()``: several times faster than Python's csv module;
- elsewhere (SQLite), Python's csv module writes it from the same rows.

Both produce byte-identical files (tests/sessions_audit/test_export_copy.py).
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import IO, Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

from .chain import utc_iso
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
# The model fields behind COLUMNS, in order.
FIELDS = [
    "id",
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
]
DANGEROUS_LEADING = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
FORMATS = ("csv", "jsonl")
CHUNK_ROWS = 2000

Progress = Callable[[int], None]


def neutralise(value: str) -> str:
    """Prefix a cell that would start a spreadsheet formula with ``'``."""
    return "'" + value if value.startswith(DANGEROUS_LEADING) else value


def _jsonb_order(value: Any) -> Any:
    """Order object keys as PostgreSQL's jsonb does: by byte length, then bytes."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: (len(key.encode()), key.encode()))
        return {key: _jsonb_order(value[key]) for key in keys}
    if isinstance(value, list):
        return [_jsonb_order(item) for item in value]
    return value


def data_text(data: Any) -> str:
    """The ``data`` cell: jsonb's text form (``{"a": 1}``), empty for ``{}``."""
    if data is None or data == {}:
        return ""
    return json.dumps(_jsonb_order(data), ensure_ascii=False)


def _cells(values: tuple) -> list[str]:
    (id_, created_at, event_type, actor_id, actor, subject_id, subject) = values[:7]
    (session_ref, method, reason, ip, user_agent, data) = values[7:]
    return [
        str(id_),
        utc_iso(created_at),
        event_type,
        "" if actor_id is None else str(actor_id),
        actor,
        "" if subject_id is None else str(subject_id),
        subject,
        session_ref,
        method,
        reason,
        ip or "",
        user_agent,
        data_text(data),
    ]


def _row(event: Event) -> list[str]:
    return _cells(tuple(getattr(event, name) for name in FIELDS))


class _Line:
    """A file-like object that hands back what csv.writer writes."""

    def write(self, value: str) -> str:
        return value


def _writer():
    return csv.writer(_Line(), quoting=csv.QUOTE_ALL, lineterminator="\r\n")


def iter_csv(events: Iterable[Event]) -> Iterator[str]:
    """Yield the CSV text line by line: the header, then one line per event."""
    writer = _writer()
    yield writer.writerow(COLUMNS)
    for event in events:
        yield writer.writerow([neutralise(cell) for cell in _row(event)])


def write_csv(events: Iterable[Event], out: IO[str]) -> int:
    """Write the events as CSV to ``out``; return the number of event rows."""
    count = -1
    for count, line in enumerate(iter_csv(events)):  # noqa: B007
        out.write(line)
    return count


def _values(events: QuerySet[Event]) -> Iterator[tuple]:
    rows = events.order_by("id").values_list(*FIELDS)
    return rows.iterator(chunk_size=CHUNK_ROWS)


def _batched(lines: Iterator[str], progress: Progress | None) -> Iterator[bytes]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == CHUNK_ROWS:
            yield "".join(batch).encode()
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        yield "".join(batch).encode()
        if progress:
            progress(len(batch))


def _python_csv(events: QuerySet[Event], progress: Progress | None) -> Iterator[bytes]:
    writer = _writer()
    yield writer.writerow(COLUMNS).encode()
    lines = (
        writer.writerow([neutralise(cell) for cell in _cells(values)])
        for values in _values(events)
    )
    yield from _batched(lines, progress)


def _jsonl(events: QuerySet[Event], progress: Progress | None) -> Iterator[bytes]:
    def line(values: tuple) -> str:
        record = dict(zip(COLUMNS, values, strict=True))
        record["created_at"] = utc_iso(record["created_at"])
        return json.dumps(record, ensure_ascii=False) + "\n"

    yield from _batched(map(line, _values(events)), progress)


# Code points of the dangerous leading characters (PostgreSQL text never holds
# NUL); ascii('') is 0.
_DANGEROUS_CODES = ", ".join(str(ord(c)) for c in DANGEROUS_LEADING if c != "\0")


def _sql_text(column: str) -> str:
    """SQL for one neutralised text cell: a leading ``'`` when dangerous."""
    return (
        f"CASE WHEN ascii({column}) IN ({_DANGEROUS_CODES}) "
        f"THEN '''' || {column} ELSE {column} END"
    )


def copy_sql(events: QuerySet[Event]) -> tuple[str, tuple]:
    """The ``COPY ... TO STDOUT`` statement that writes the CSV rows."""
    inner, params = events.order_by().values(*FIELDS).query.sql_with_params()
    # jsonb text starts with { [ " a digit, t, f or n, or "-" for a negative
    # number alone: only that one needs the apostrophe.
    data = (
        "CASE WHEN e.data IS NULL OR e.data IN ('{}'::jsonb, 'null'::jsonb) "
        "THEN '' WHEN jsonb_typeof(e.data) = 'number' AND e.data < '0'::jsonb "
        "THEN '''' || e.data::text ELSE e.data::text END"
    )
    cells = [
        "e.id::text",
        "to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
        _sql_text("e.event_type"),
        "COALESCE(e.actor_id::text, '')",
        _sql_text("e.actor_label"),
        "COALESCE(e.subject_id::text, '')",
        _sql_text("e.subject_label"),
        _sql_text("e.session_ref"),
        _sql_text("e.method"),
        _sql_text("e.reason"),
        "COALESCE(host(e.ip), '')",
        _sql_text("e.user_agent"),
        data,
    ]
    select = f"SELECT {', '.join(cells)} FROM ({inner}) AS e ORDER BY e.id"  # noqa: S608
    return f"COPY ({select}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)", params


def _copy_csv(events: QuerySet[Event], progress: Progress | None) -> Iterator[bytes]:
    yield _writer().writerow(COLUMNS).encode()
    try:
        sql, params = copy_sql(events)
    except EmptyResultSet:  # e.g. .none(): nothing to ask PostgreSQL for
        return
    with (
        connections[events.db].cursor() as cursor,
        cursor.cursor.copy(sql, params) as copy,
    ):
        # libpq hands COPY data over one row at a time, each ending in "\n";
        # RFC 4180 wants CRLF, so each row's "\n" becomes "\r\n".
        rows = iter(copy)
        while batch := list(islice(rows, CHUNK_ROWS)):
            yield b"\r\n".join([row[:-1] for row in batch]) + b"\r\n"
            if progress:
                progress(len(batch))


def export_chunks(
    events: QuerySet[Event],
    *,
    fmt: str = "csv",
    progress: Progress | None = None,
    use_copy: bool | None = None,
) -> Iterator[bytes]:
    """Yield the export of ``events`` (in id order) as UTF-8 bytes.

    ``fmt`` is ``"csv"`` (header line, then one line per event) or ``"jsonl"``
    (one JSON object per line, keys = COLUMNS, ``data`` as an object).
    ``progress(n)`` is called after every ``n`` rows written. ``use_copy``
    forces the PostgreSQL COPY path on or off; by default it is used whenever
    the database is PostgreSQL. Auditing is the caller's job
    (``services.start_export``).
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}.")
    if fmt == "jsonl":
        return _jsonl(events, progress)
    if use_copy is None:
        use_copy = connections[events.db].vendor == "postgresql"
    return (_copy_csv if use_copy else _python_csv)(events, progress)


def write_export(
    events: QuerySet[Event],
    out: IO[bytes],
    *,
    fmt: str = "csv",
    progress: Progress | None = None,
    use_copy: bool | None = None,
) -> int:
    """Write the export to a binary file; return the number of event rows."""
    count = 0

    def counted(rows: int) -> None:
        nonlocal count
        count += rows
        if progress:
            progress(rows)

    for chunk in export_chunks(events, fmt=fmt, progress=counted, use_copy=use_copy):
        out.write(chunk)
    return count


def export_filename(
    *, since: datetime | None, until: datetime | None, fmt: str = "csv"
) -> str:
    """``audit-<from>-<to>.<fmt>``, the range in compact UTC (``start``/``end``)."""

    def stamp(value: datetime | None, missing: str) -> str:
        return (
            utc_iso(value)[:19].replace("-", "").replace(":", "") + "Z"
            if (value)
            else missing
        )

    return f"audit-{stamp(since, 'start')}-{stamp(until, 'end')}.{fmt}"
