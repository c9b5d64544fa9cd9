"""Revocation services: two clients, the other is signed out, one audit event each."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from sessions_audit import services
from sessions_audit.models import Event, EventType, Reason, UserSession
from tests.helpers import cached, is_signed_in, sid

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_devices(alice, login):
    laptop, phone = Client(), Client()
    login(laptop, "alice")
    login(phone, "alice")
    laptop.get("/")  # each session is now cached as well as stored
    phone.get("/")
    return laptop, phone


def _row(client: Client) -> UserSession:
    return UserSession.objects.get(session_key=sid(client))


def test_revoke_session_signs_out_that_device_only(two_devices, alice, staff_admin):
    laptop, phone = two_devices
    phone_key, phone_row = sid(phone), _row(phone)
    assert cached(phone_key) is not None

    assert services.revoke_session(
        session=phone_row, actor=staff_admin, reason=Reason.ADMIN
    )

    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    assert not Session.objects.filter(pk=phone_key).exists()
    assert cached(phone_key) is None
    revoked = Event.objects.filter(event_type=EventType.SESSION_REVOKED)
    assert revoked.count() == 1
    event = revoked.get()
    assert (event.actor, event.subject, event.reason) == (
        staff_admin,
        alice,
        Reason.ADMIN,
    )
    assert event.session_ref == phone_row.ref


def test_revoke_twice_is_a_no_op(two_devices, staff_admin):
    _, phone = two_devices
    row = _row(phone)
    assert services.revoke_session(session=row, actor=staff_admin, reason=Reason.ADMIN)
    assert not services.revoke_session(
        session=row, actor=staff_admin, reason=Reason.ADMIN
    )
    assert Event.objects.filter(event_type=EventType.SESSION_REVOKED).count() == 1


def test_revoke_all_keeps_current_session(two_devices, alice):
    laptop, phone = two_devices
    phone_key, phone_ref = sid(phone), _row(phone).ref

    ended = services.revoke_all_sessions(
        user=alice, actor=alice, reason=Reason.SELF, keep=_row(laptop)
    )

    assert ended == 1
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert cached(phone_key) is None
    revoked = Event.objects.get(event_type=EventType.SESSION_REVOKED)
    assert (revoked.session_ref, revoked.actor, revoked.reason) == (
        phone_ref,
        alice,
        "self",
    )
    summary = Event.objects.get(event_type=EventType.ALL_SESSIONS_REVOKED)
    assert summary.data == {"count": 1, "kept_current": True}


def test_force_logout_ends_every_device_in_db_and_cache(
    two_devices, alice, bob, login, staff_admin
):
    laptop, phone = two_devices
    bobs = login(Client(), "bob")
    keys = [sid(laptop), sid(phone)]

    ended = services.force_logout(users=[alice], actor=staff_admin, note="lost laptop")

    assert ended == 2
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert is_signed_in(bobs)
    assert not Session.objects.filter(pk__in=keys).exists()
    assert all(cached(key) is None for key in keys)
    revoked = Event.objects.filter(event_type=EventType.SESSION_REVOKED)
    assert revoked.count() == 2
    assert {(e.actor_id, e.subject_id, e.reason) for e in revoked} == {
        (staff_admin.pk, alice.pk, Reason.ADMIN)
    }
    assert all(e.data == {"note": "lost laptop"} for e in revoked)
    assert Event.objects.filter(event_type=EventType.ALL_SESSIONS_REVOKED).count() == 1


def test_revoke_all_moves_epoch_so_surviving_rows_die(two_devices, alice, staff_admin):
    laptop, _ = two_devices
    survivor = _row(laptop)
    services.force_logout(users=[alice], actor=staff_admin)
    # A copy of the row comes back (a restored backup, a concurrent sign-in).
    UserSession.objects.create(
        **{
            f.attname: getattr(survivor, f.attname)
            for f in UserSession._meta.concrete_fields
        }
    )
    Session.objects.create(
        session_key=survivor.session_key,
        session_data=Session.objects.encode({}),
        expire_date="2100-01-01T00:00:00Z",
    )
    assert not is_signed_in(laptop)


def test_revocation_that_rolls_back_leaves_no_event(
    two_devices, alice, staff_admin, monkeypatch
):
    _, phone = two_devices
    row = _row(phone)

    def boom(**kwargs):
        raise RuntimeError("audit insert failed")

    monkeypatch.setattr(services, "record_event", boom)
    with pytest.raises(RuntimeError):
        services.revoke_session(session=row, actor=staff_admin, reason=Reason.ADMIN)
    assert UserSession.objects.filter(pk=row.pk).exists()
    assert is_signed_in(phone)
    assert not Event.objects.filter(event_type=EventType.SESSION_REVOKED).exists()


def test_store_delete_happens_after_commit(two_devices, staff_admin):
    from django.db import transaction

    _, phone = two_devices
    key = sid(phone)
    with transaction.atomic():
        services.revoke_session(
            session=_row(phone), actor=staff_admin, reason=Reason.ADMIN
        )
        assert Session.objects.filter(pk=key).exists()  # still there inside
    assert not Session.objects.filter(pk=key).exists()


def test_store_delete_is_skipped_when_the_transaction_rolls_back(
    two_devices, staff_admin
):
    from django.db import transaction

    _, phone = two_devices
    key = sid(phone)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.revoke_session(
            session=_row(phone), actor=staff_admin, reason=Reason.ADMIN
        )
        raise RuntimeError("later step failed")
    assert Session.objects.filter(pk=key).exists()
    assert is_signed_in(phone)
    assert not Event.objects.filter(event_type=EventType.SESSION_REVOKED).exists()
