"""Validity lives in the database: surviving copies of a revoked session are dead."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client

from sessions_audit import services
from sessions_audit.models import Reason, UserSession
from tests.helpers import cached, is_signed_in, sid

pytestmark = pytest.mark.django_db(transaction=True)


def test_cache_copy_put_back_after_revoke_all_does_not_authenticate(
    alice, staff_admin, login
):
    phone = login(Client(), "alice")
    phone.get("/")
    key = sid(phone)
    data = cached(key)
    assert data is not None

    services.revoke_all_sessions(user=alice, actor=staff_admin, reason=Reason.ADMIN)
    caches[settings.SESSION_CACHE_ALIAS].set(KEY_PREFIX + key, data)

    assert not is_signed_in(phone)
    assert cached(key) is None  # flushed again


def test_registry_row_that_escaped_revoke_all_is_dead_by_epoch(
    alice, staff_admin, login
):
    phone = login(Client(), "alice")
    phone.get("/")
    row = UserSession.objects.get(session_key=sid(phone))
    session = Session.objects.get(pk=row.session_key)

    services.revoke_all_sessions(user=alice, actor=staff_admin, reason=Reason.ADMIN)
    # Restore both the row and the stored data, as a backup restore would.
    row.save(force_insert=True)
    session.save(force_insert=True)

    assert not is_signed_in(phone)
    # A session signed in after the revocation works.
    assert is_signed_in(login(Client(), "alice"))
