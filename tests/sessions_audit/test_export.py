"""The pure CSV writer: stable columns, RFC 4180 quoting, formula neutralisation."""

import csv
import io
from datetime import UTC, datetime

import pytest

from sessions_audit.export import COLUMNS, iter_csv, neutralise, write_csv
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
    assert rows[1][1] == "2026-12-03T09:30:00Z"
    assert [row[COLUMNS.index("user_agent")] for row in rows[1:]] == nasty


def test_header_line_is_fully_quoted():
    assert next(iter_csv([])) == ",".join(f'"{c}"' for c in COLUMNS) + "\r\n"
