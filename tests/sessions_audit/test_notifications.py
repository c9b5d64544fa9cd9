"""Mail to the account owner: new device, admin ended the sessions."""

import pytest
from django.core import mail
from django.test import Client

from sessions_audit.models import UserSession
from tests.helpers import reauthenticate, sid

pytestmark = pytest.mark.django_db(transaction=True)

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36"
)


def _secrets() -> list[str]:
    rows = UserSession.objects.values_list("session_key", "ref")
    return [value for row in rows for value in row]


def test_sign_in_from_a_new_device_is_mailed(alice, login):
    login(Client(HTTP_USER_AGENT=FIREFOX), "alice")
    assert mail.outbox == []  # the first sign-in has nothing to compare with
    login(Client(HTTP_USER_AGENT=FIREFOX), "alice")
    assert mail.outbox == []  # a browser seen before
    newcomer = login(Client(HTTP_USER_AGENT=CHROME, REMOTE_ADDR="203.0.113.5"), "alice")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert "New sign-in" in message.subject
    assert "Chrome on Windows" in message.body
    assert "203.0.113.5" in message.body
    assert all(secret not in message.body for secret in _secrets())
    assert sid(newcomer) not in message.body


def test_admin_ending_sessions_is_mailed(alice, staff_admin, login):
    laptop = login(Client(), "alice")
    login(Client(), "alice")
    mail.outbox.clear()
    admin = login(Client(), "boss")
    mail.outbox.clear()
    secrets = _secrets()

    admin.post(
        "/admin/accounts/user/",
        {
            "action": "force_logout_action",
            "_selected_action": [str(alice.pk)],
            "confirm": "yes",
            "note": "laptop stolen",
        },
    )

    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    message = mail.outbox[0]
    assert "signed you out" in message.subject
    assert "ended 2 of your sessions" in message.body
    assert all(secret not in message.body for secret in secrets)
    assert sid(laptop) not in message.body


def test_self_service_ending_is_not_mailed_as_admin(alice, login):
    laptop = login(Client(), "alice")
    login(Client(), "alice")
    mail.outbox.clear()
    reauthenticate(laptop)
    laptop.post("/account/devices/end-others/")
    assert mail.outbox == []
