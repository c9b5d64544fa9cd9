"""Sessions end by themselves when the account changes: two clients each time."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from sessions_audit.models import Event, EventType, Reason, UserSession
from tests.helpers import PASSWORD, cached, is_signed_in, reauthenticate, sid

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-new-horse-battery-77"


@pytest.fixture
def two_devices(alice, login):
    laptop, phone = Client(), Client()
    login(laptop, "alice")
    login(phone, "alice")
    laptop.get("/")
    phone.get("/")
    return laptop, phone


def _assert_gone(key: str) -> None:
    assert not UserSession.objects.filter(session_key=key).exists()
    assert not Session.objects.filter(pk=key).exists()
    assert cached(key) is None


def _revoked(reason: str):
    return Event.objects.filter(event_type=EventType.SESSION_REVOKED, reason=reason)


def test_password_change_ends_other_sessions_and_keeps_this_one(two_devices, alice):
    laptop, phone = two_devices
    old_laptop_key, phone_key = sid(laptop), sid(phone)
    reauthenticate(laptop)

    response = laptop.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert sid(laptop) != old_laptop_key  # the current session got a new key
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    _assert_gone(phone_key)
    _assert_gone(old_laptop_key)
    assert UserSession.objects.get(user=alice).session_key == sid(laptop)
    revoked = _revoked(Reason.PASSWORD_CHANGE).get()
    assert (revoked.actor, revoked.subject) == (alice, alice)
    changed = Event.objects.get(event_type=EventType.PASSWORD_CHANGED)
    assert changed.actor == alice and changed.reason == Reason.SELF
    assert Event.objects.filter(event_type=EventType.ALL_SESSIONS_REVOKED).count() == 1
    # allauth's own notice, no session key in it.
    assert [m.subject for m in mail.outbox][-1].endswith("Password Changed")
    assert sid(laptop) not in mail.outbox[-1].body


def test_password_change_needs_a_recent_reauthentication(two_devices, alice):
    laptop, phone = two_devices
    response = laptop.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert is_signed_in(phone)


def _reset_link(client: Client) -> str:
    client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    body = mail.outbox[-1].body
    return re.search(r"http://testserver(/accounts/password/reset/key/\S+)", body)[1]


def test_password_reset_ends_every_session(two_devices, alice):
    laptop, phone = two_devices
    keys = [sid(laptop), sid(phone)]
    stranger = Client()
    link = _reset_link(stranger)
    form_url = stranger.get(link)["Location"]

    response = stranger.post(
        form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    for key in keys:
        _assert_gone(key)
    assert _revoked(Reason.PASSWORD_RESET).count() == 2
    assert Event.objects.filter(event_type=EventType.PASSWORD_RESET).count() == 1
    # One mechanism, no double firing: nothing was revoked as a "change".
    assert not _revoked(Reason.PASSWORD_CHANGE).exists()


def test_admin_setting_a_password_ends_every_session(
    two_devices, alice, staff_admin, login
):
    laptop, phone = two_devices
    admin = login(Client(), "boss")
    url = f"/admin/accounts/user/{alice.pk}/password/"

    response = admin.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    revoked = _revoked(Reason.PASSWORD_CHANGE)
    assert revoked.count() == 2
    assert {e.actor for e in revoked} == {staff_admin}
    changed = Event.objects.get(event_type=EventType.PASSWORD_CHANGED)
    assert (changed.actor, changed.subject, changed.reason) == (
        staff_admin,
        alice,
        Reason.ADMIN,
    )
    assert is_signed_in(admin)
    assert mail.outbox[-1].to == ["alice@example.com"]
    assert "Your password has been changed." in mail.outbox[-1].body


def test_shell_set_password_ends_every_session(two_devices, alice):
    laptop, phone = two_devices
    alice.set_password(NEW_PASSWORD)
    alice.save()
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert {e.actor for e in _revoked(Reason.PASSWORD_CHANGE)} == {None}


def test_rehash_on_sign_in_is_not_a_password_change(
    two_devices, alice, settings, login
):
    # A hasher upgrade: Django re-hashes the password silently on sign-in.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.ScryptPasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    old_hash = alice.password
    login(Client(), "alice")
    alice.refresh_from_db()
    assert alice.password != old_hash
    # Not audited as a change, and not revoked by this app. (Django's session
    # auth hash covers the password hash, so the other sessions still fail
    # Django's own hash check; their rows go at the next clean-up.)
    assert not Event.objects.filter(event_type=EventType.PASSWORD_CHANGED).exists()
    assert not Event.objects.filter(event_type=EventType.ALL_SESSIONS_REVOKED).exists()


def test_deactivation_in_the_admin_ends_every_session(
    two_devices, alice, staff_admin, login
):
    laptop, phone = two_devices
    keys = [sid(laptop), sid(phone)]
    admin = login(Client(), "boss")
    page = admin.get(f"/admin/accounts/user/{alice.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "username": "alice",
            "email": "alice@example.com",
            "is_active": "",
            "date_joined_0": alice.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": alice.date_joined.strftime("%H:%M:%S"),
            # The passkeys inline's management form (no passkeys).
            "passkeys-TOTAL_FORMS": "0",
            "passkeys-INITIAL_FORMS": "0",
        }
    )
    data.pop("is_active")
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    data.pop("password", None)

    response = admin.post(f"/admin/accounts/user/{alice.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    alice.refresh_from_db()
    assert not alice.is_active
    for key in keys:
        _assert_gone(key)
    revoked = _revoked(Reason.DEACTIVATION)
    assert revoked.count() == 2
    assert {e.actor for e in revoked} == {staff_admin}
    assert not is_signed_in(laptop) and not is_signed_in(phone)


def test_made_staff_must_sign_in_afresh(two_devices, alice):
    laptop, phone = two_devices
    alice.is_staff = True
    alice.save()
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert _revoked(Reason.PRIVILEGE_CHANGE).count() == 2


def test_privilege_lowered_needs_no_sign_out(alice, login):
    alice.is_staff = True
    alice.save()
    client = login(Client(), "alice")
    alice.is_staff = False
    alice.save()
    assert is_signed_in(client)
    assert client.get("/admin/").status_code == 302  # no longer let in


def test_removed_permission_is_refused_on_the_next_request(alice, login):
    """What a JWT carrying the old role would still allow, this refuses."""
    alice.is_staff = True
    alice.save()
    alice.user_permissions.add(Permission.objects.get(codename="view_usersession"))
    client = login(Client(), "alice")
    assert client.get("/admin/sessions_audit/usersession/").status_code == 200

    alice.user_permissions.clear()

    assert client.get("/admin/sessions_audit/usersession/").status_code == 403
    assert is_signed_in(client)  # same session, fresh permissions


def test_saving_a_stale_user_never_moves_the_epoch_back(alice, login):
    stale = type(alice).objects.get(pk=alice.pk)  # loaded before the revocation
    alice.is_staff = True
    alice.save()  # privilege raised: revoke all, epoch + 1
    client = login(Client(), "alice")
    stale.first_name = "Alice"
    stale.save()
    alice.refresh_from_db()
    assert alice.session_epoch == 1
    assert alice.first_name == "Alice"
    assert is_signed_in(client)


def test_removed_group_is_refused_on_the_next_request(alice, login):
    viewers = Group.objects.create(name="Session viewers")
    viewers.permissions.add(Permission.objects.get(codename="view_usersession"))
    alice.is_staff = True
    alice.save()
    alice.groups.add(viewers)
    client = login(Client(), "alice")
    assert client.get("/admin/sessions_audit/usersession/").status_code == 200

    alice.groups.remove(viewers)

    assert client.get("/admin/sessions_audit/usersession/").status_code == 403
