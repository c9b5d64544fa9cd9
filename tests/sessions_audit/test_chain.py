"""Tamper evidence: every event is hash-chained; verify_audit names the bad link."""

import threading
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from sessions_audit import chain
from sessions_audit.models import AuditChainHead, Event, EventType
from sessions_audit.services import record_event

pytestmark = pytest.mark.django_db


def _record(n: int, **fields) -> list[Event]:
    return [
        record_event(
            event_type=EventType.LOGIN_FAILED, data={"n": i, **fields}, method="x"
        )
        for i in range(n)
    ]


def _verify_fails() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    assert failure.value.returncode == 1
    return str(failure.value)


def test_each_event_links_to_the_previous_hash():
    first, second, third = _record(3)
    assert first.prev_hash == chain.GENESIS
    assert second.prev_hash == first.chain_hash
    assert third.prev_hash == second.chain_hash
    assert len({first.chain_hash, second.chain_hash, third.chain_hash}) == 3
    head = AuditChainHead.objects.get()
    assert (head.last_event_id, head.last_hash) == (third.pk, third.chain_hash)


def test_hash_is_sha256_of_the_sorted_key_json_read_back_from_the_database():
    event = record_event(
        event_type=EventType.LOGIN_FAILED,
        reason="bad_credentials",
        data={"b": [1, 2], "a": "é"},
    )
    stored = Event.objects.get(pk=event.pk)
    assert chain.compute_hash(vars(stored)) == stored.chain_hash == event.chain_hash
    assert chain.canonical(vars(stored)).startswith(b'{"actor_id":null,')
    assert b'"data":{"a":"\xc3\xa9","b":[1,2]}' in chain.canonical(vars(stored))


def test_times_serialise_as_utc_iso_with_microseconds():
    assert chain.utc_iso(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == (
        "2026-01-02T03:04:05.000000Z"
    )


def test_verify_audit_passes_on_an_intact_chain(capsys):
    _record(5)
    call_command("verify_audit")
    assert "Audit chain intact: 5 events." in capsys.readouterr().out


def test_verify_audit_passes_on_an_empty_log(capsys):
    call_command("verify_audit")
    assert "intact: 0 events" in capsys.readouterr().out


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_changed_row_is_named_sqlite_or_postgres(db):
    events = _record(4)
    victim = events[2]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _raw(
                "ALTER TABLE sessions_audit_event "
                "DISABLE TRIGGER sessions_audit_event_append_only",
                [],
            )
        _raw(
            "UPDATE sessions_audit_event SET reason = %s WHERE id = %s",
            ["tampered", victim.pk],
        )
        if connection.vendor == "postgresql":
            _raw(
                "ALTER TABLE sessions_audit_event "
                "ENABLE TRIGGER sessions_audit_event_append_only",
                [],
            )
    message = _verify_fails()
    assert f"broken at event {victim.pk}: event {victim.pk} was altered" in message
    assert "(2 events verified before it)" in message


def test_removed_row_breaks_the_link_of_the_next_one():
    events = _record(4)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _raw("SELECT set_config('sessions_audit.purge', 'on', true)", [])
        _raw("DELETE FROM sessions_audit_event WHERE id = %s", [events[1].pk])
    message = _verify_fails()
    assert f"broken at event {events[2].pk}: event {events[2].pk} does not link" in (
        message
    )


def test_cut_off_tail_is_reported_from_the_chain_head():
    events = _record(3)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _raw("SELECT set_config('sessions_audit.purge', 'on', true)", [])
        _raw("DELETE FROM sessions_audit_event WHERE id = %s", [events[2].pk])
    message = _verify_fails()
    assert f"the chain head names event {events[2].pk}" in message
    assert f"the newest linked event is {events[1].pk}" in message


def test_event_inserted_outside_the_chain_is_reported():
    _record(2)
    rogue = Event.objects.create(
        created_at=datetime.now(UTC), event_type=EventType.LOGGED_OUT
    )
    assert f"broken at event {rogue.pk}" in _verify_fails()


def test_event_rolled_back_with_its_state_change_leaves_the_chain_intact():
    _record(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        _record(1)
        raise RuntimeError("the state change failed")
    _record(1)
    assert chain.verify().ok
    assert chain.verify().checked == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain(on_postgres):
    threads, per_thread = 6, 25
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                # A state change and its event, as the services do it.
                with transaction.atomic():
                    record_event(
                        event_type=EventType.SESSION_REVOKED,
                        data={"worker": worker, "i": i},
                    )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert Event.objects.count() == threads * per_thread
    prevs = list(Event.objects.values_list("prev_hash", flat=True))
    assert len(set(prevs)) == threads * per_thread  # nobody shares a predecessor
    verdict = chain.verify()
    assert verdict.ok, verdict
    assert verdict.checked == threads * per_thread
