"""The pure CSV writer: stable columns, RFC 4180 quoting, formula neutralisation."""

import csv
import io
import json
import tracemalloc
from datetime import UTC, datetime

import pytest

from sessions_audit.export import (
    COLUMNS,
    export_chunks,
    export_filename,
    iter_csv,
    neutralise,
    write_csv,
    write_export,
)
from sessions_audit.models import Event, EventType


def _event(**fields) -> Event:
    defaults = {
        "id": 7,
        "created_at": datetime(2026, 12, 3, 9, 30, 0, tzinfo=UTC),
        "event_type": EventType.LOGIN_FAILED,
        "actor_label": "",
        "subject_label": "alice",
        "subject_id": 3,
        "session_ref": "ab" * 16,
        "method": "password",
        "reason": "bad_credentials",
        "ip": "203.0.113.9",
        "user_agent": "Firefox",
        "data": {"username": "alice"},
    }
    return Event(**{**defaults, **fields})


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r", "\n", "\0"])
def test_dangerous_leading_character_gets_an_apostrophe(lead):
    rows = list(
        csv.reader(io.StringIO("".join(iter_csv([_event(user_agent=lead + "cmd")]))))
    )
    assert rows[1][COLUMNS.index("user_agent")] == "'" + lead + "cmd"


def test_safe_value_is_unchanged():
    assert neutralise("alice") == "alice"
    assert neutralise("") == ""


def test_exact_bytes_for_the_owasp_examples():
    lines = list(
        iter_csv([_event(user_agent='=1+2";=1+2', subject_label="=1+2'\" ;,=1+2")])
    )
    assert '"\'=1+2"";=1+2"' in lines[1]
    assert '"\'=1+2\'"" ;,=1+2"' in lines[1]


def test_every_row_has_the_header_width_and_times_are_utc_iso():
    nasty = ['a,=HYPERLINK("http://x")', 'a";=1+1', "a\n=1+1", "a;=1+1"]
    out = io.StringIO()
    count = write_csv([_event(id=i, user_agent=v) for i, v in enumerate(nasty)], out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert count == 4
    assert rows[0] == COLUMNS
    assert all(len(row) == len(COLUMNS) for row in rows)
    assert rows[1][1] == "2026-12-03T09:30:00.000000Z"
    assert [row[COLUMNS.index("user_agent")] for row in rows[1:]] == nasty


def test_header_line_is_fully_quoted():
    assert next(iter_csv([])) == ",".join(f'"{c}"' for c in COLUMNS) + "\r\n"


def test_exact_bytes_of_a_whole_row():
    line = list(iter_csv([_event(data={"username": "alice", "b": [1, "x"]})]))[1]
    assert line == (
        '"7","2026-12-03T09:30:00.000000Z","login_failed","","","3","alice",'
        f'"{"ab" * 16}","password","bad_credentials","203.0.113.9","Firefox",'
        '"{""b"": [1, ""x""], ""username"": ""alice""}"\r\n'
    )


def test_data_keys_come_in_jsonb_order_shorter_first():
    line = list(iter_csv([_event(data={"ab": 1, "b": {"zz": 1, "y": 2}})]))[1]
    assert line.endswith('"{""b"": {""y"": 2, ""zz"": 1}, ""ab"": 1}"\r\n')


def test_every_text_column_is_neutralised():
    nasty = {
        "actor_label": "=cmd",
        "subject_label": "+cmd",
        "session_ref": "-cmd",
        "method": "@cmd",
        "reason": "\tcmd",
        "user_agent": "\rcmd",
        "event_type": "\ncmd",
    }
    row = next(csv.reader(io.StringIO(list(iter_csv([_event(**nasty)]))[1])))
    by_column = dict(zip(COLUMNS, row, strict=True))
    assert by_column["actor"] == "'=cmd"
    assert by_column["subject"] == "'+cmd"
    assert by_column["session_ref"] == "'-cmd"
    assert by_column["method"] == "'@cmd"
    assert by_column["reason"] == "'\tcmd"
    assert by_column["user_agent"] == "'\rcmd"
    assert by_column["event_type"] == "'\ncmd"


def _saved(n: int, **fields) -> None:
    Event.objects.bulk_create(
        [_event(id=None, **fields) for _ in range(n)], batch_size=1000
    )


@pytest.mark.django_db
def test_python_path_from_a_queryset_matches_the_event_writer():
    _saved(3, user_agent="=evil")
    events = Event.objects.order_by("id")
    expected = "".join(iter_csv(events)).encode()
    out = io.BytesIO()
    assert write_export(events, out, use_copy=False) == 3
    assert out.getvalue() == expected


@pytest.mark.django_db
def test_json_lines_has_one_object_per_event_with_data_as_an_object():
    _saved(2, user_agent="=not-a-spreadsheet")
    out = io.BytesIO()
    assert write_export(Event.objects.all(), out, fmt="jsonl") == 2
    lines = out.getvalue().decode().splitlines()
    records = [json.loads(line) for line in lines]
    assert list(records[0]) == COLUMNS
    assert records[0]["created_at"] == "2026-12-03T09:30:00.000000Z"
    assert records[0]["data"] == {"username": "alice"}
    assert records[0]["user_agent"] == "=not-a-spreadsheet"
    assert records[0]["actor_id"] is None
    assert records[0]["id"] < records[1]["id"]


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="Unknown export format"):
        export_chunks(Event.objects.none(), fmt="xlsx")


def test_filename_carries_the_date_range():
    since = datetime(2026, 11, 1, tzinfo=UTC)
    until = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
    assert export_filename(since=since, until=until) == (
        "audit-20261101T000000Z-20261201T063000Z.csv"
    )
    assert export_filename(since=None, until=None, fmt="jsonl") == (
        "audit-start-end.jsonl"
    )


def _peak(events) -> int:
    tracemalloc.start()
    for _chunk in export_chunks(events, use_copy=False):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


@pytest.mark.django_db
def test_export_memory_does_not_grow_with_the_row_count():
    # Both sizes span several fetch chunks; only the row count differs (x4).
    _saved(6000)
    small = _peak(Event.objects.all())
    _saved(18000)
    large = _peak(Event.objects.all())
    assert large < small * 1.5, (small, large)
