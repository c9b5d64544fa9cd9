"""manage.py export_audit: same filters, same export function, audited."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command

from sessions_audit.export import COLUMNS
from sessions_audit.models import Event, EventType
from sessions_audit.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(alice, bob):
    made = []
    for day, user, kind in [
        (1, alice, EventType.LOGIN_SUCCEEDED),
        (2, bob, EventType.LOGIN_FAILED),
        (2, alice, EventType.LOGIN_FAILED),
        (3, alice, EventType.LOGGED_OUT),
    ]:
        with time_machine.travel(datetime(2026, 11, day, 10, tzinfo=UTC)):
            made.append(
                record_event(event_type=kind, subject=user, data={"user": "=x"})
            )
    return made


def test_export_to_a_file_with_filters_progress_and_audit(tmp_path, history):
    out = tmp_path / "audit.csv"
    stderr = io.StringIO()
    call_command(
        "export_audit",
        "--user=alice",
        "--since=2026-11-02",
        "--until=2026-11-03",
        "--type=login_failed",
        "--type=logged_out",
        f"--output={out}",
        stderr=stderr,
    )
    rows = list(csv.reader(io.StringIO(out.read_text(), newline="")))
    assert rows[0] == COLUMNS
    assert [row[0] for row in rows[1:]] == [str(history[2].pk), str(history[3].pk)]
    assert rows[1][COLUMNS.index("data")] == '{"user": "=x"}'
    assert "2/2" in stderr.getvalue()  # the progress bar reached the end
    assert f"Wrote 2 events to {out}." in stderr.getvalue()
    exported = Event.objects.get(event_type=EventType.AUDIT_EXPORTED)
    assert exported.actor is None
    assert exported.data["row_count"] == 2
    assert exported.data["filters"]["source"] == "command"
    assert exported.data["filters"]["types"] == ["login_failed", "logged_out"]
    assert exported.data["filters"]["user"] == "alice"
    assert exported.data["filters"]["os_user"]


def test_json_lines_to_stdout(capsysbinary, history):
    call_command("export_audit", "--format=jsonl", "--no-progress", "--ip=")
    lines = capsysbinary.readouterr().out.decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [e.pk for e in history]


@pytest.mark.parametrize(
    "args",
    [["--since=2026-13-01"], ["--user=nobody"], ["--ip=1.2.3"]],
)
def test_bad_filters_fail_before_anything_is_exported(tmp_path, history, args):
    with pytest.raises(CommandError, match="Invalid filters"):
        call_command("export_audit", *args, f"--output={tmp_path / 'x.csv'}")
    assert not (tmp_path / "x.csv").exists()
    assert not Event.objects.filter(event_type=EventType.AUDIT_EXPORTED).exists()
