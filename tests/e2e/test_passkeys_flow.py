"""End to end: add a passkey in Chromium's virtual authenticator, sign in with it.

The authenticator is Chromium's own (CDP ``WebAuthn.addVirtualAuthenticator``:
CTAP2, internal transport, resident keys, user verification), so the browser
builds the real WebAuthn requests and py_webauthn verifies what it produced.
"""

import pytest

from accounts.models import Passkey
from sessions_audit.models import Event, EventType, UserSession
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def passkey_origin(settings, base_url):
    # The live server listens on a random port of http://localhost.
    settings.PASSKEYS = {**settings.PASSKEYS, "ALLOWED_ORIGINS": [base_url]}
    return base_url


NO_AUTOFILL_UNLESS_ALLOWED = """
if (window.PublicKeyCredential && !localStorage.getItem("allow-autofill")) {
  PublicKeyCredential.isConditionalMediationAvailable = async () => false;
}
"""


def virtual_authenticator(context, page):
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    created = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, created["authenticatorId"]


def test_add_passkey_sign_out_and_sign_in_with_it(new_context, passkey_origin):
    base_url = passkey_origin
    UserFactory(username="alice")
    context = new_context()
    page = context.new_page()
    # Chromium's virtual authenticator answers an autofill (conditional) request
    # by itself, which would race the button. Autofill stays off until the
    # test turns it on for its own part, below.
    page.add_init_script(NO_AUTOFILL_UNLESS_ALLOWED)
    cdp, authenticator_id = virtual_authenticator(context, page)

    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_selector("[data-test=signed-in-as]")

    # Adding a passkey needs a fresh re-authentication first.
    page.goto(f"{base_url}/account/passkeys/")
    assert page.locator("[data-test=passkey-add]").count() == 0
    page.click("[data-test=reauth-password]")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-test=passkey-add]")
    page.fill("[data-test=passkey-name]", "Chromium virtual")
    page.click("[data-test=passkey-add]")
    page.wait_for_selector("[data-test=passkey-row]")
    assert page.inner_text("[data-test=passkey-row-name]") == "Chromium virtual"

    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(stored["credentials"]) == 1
    assert stored["credentials"][0]["isResidentCredential"] is True
    passkey = Passkey.objects.get()
    assert passkey.name == "Chromium virtual"
    assert passkey.transports == ["internal"]

    page.click("[data-test=logout]")
    page.wait_for_selector("text=Sign in")
    page.goto(f"{base_url}/accounts/login/")
    page.click("[data-test=passkey-login]")
    page.wait_for_selector("[data-test=signed-in-as]")
    assert page.inner_text("[data-test=signed-in-as]") == "alice"

    page.goto(f"{base_url}/account/devices/")
    rows = page.locator("[data-test=session-row]")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-method") == "passkey"
    assert "Passkey" in rows.first.inner_text()
    row = UserSession.objects.get()
    assert (row.method, row.passkey_id) == ("passkey", passkey.pk)
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    assert (
        Event.objects.filter(
            event_type=EventType.LOGIN_SUCCEEDED, method="passkey"
        ).count()
        == 1
    )

    # Autofill: the login field offers the passkey (conditional mediation),
    # and choosing it (the virtual authenticator does) signs in as well.
    page.click("[data-test=logout]")
    page.wait_for_selector("text=Sign in")
    page.evaluate("localStorage.setItem('allow-autofill', '1')")
    page.goto(f"{base_url}/accounts/login/")
    page.wait_for_selector("[data-test=signed-in-as]")
    assert UserSession.objects.get().method == "passkey"
    assert (
        Event.objects.filter(
            event_type=EventType.LOGIN_SUCCEEDED, method="passkey"
        ).count()
        == 2
    )

    assert not Event.objects.filter(
        event_type__in=[
            EventType.PASSKEY_LOGIN_FAILED,
            EventType.PASSKEY_REGISTRATION_FAILED,
        ]
    ).exists()
