"""The tokenless single-page client in headless Chromium.

It signs in, shows "me" and the devices, ends a session and signs out, all over
fetch() with the HttpOnly session cookie; nothing about the session is ever
readable by its JavaScript.
"""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from sessions_audit.models import UserSession
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-9"


def sign_in_html(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_selector("[data-test=signed-in-as]")


def sign_in_spa(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/app/")
    page.wait_for_selector("#spa[data-state=signed-out]")
    page.fill("#signin-form input[name=login]", username)
    page.fill("#signin-form input[name=password]", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#spa[data-state=signed-in]")


def session_cookie(context) -> dict:
    return next(
        c for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )


def client_side_storage(page) -> dict:
    return page.evaluate(
        """() => ({
            cookie: document.cookie,
            local: JSON.stringify(Object.entries(localStorage)),
            session: JSON.stringify(Object.entries(sessionStorage)),
            localLength: localStorage.length,
            sessionLength: sessionStorage.length,
        })"""
    )


def replay(cookie_value: str) -> int:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie_value
    return client.get("/api/me/").status_code


def confirm_password(page) -> None:
    """Answer the SPA's re-authentication form (shown on reauth_required)."""
    page.wait_for_selector("[data-test=reauth-form]:visible")
    page.fill("#reauth-form input[name=password]", PASSWORD)
    page.click("#reauth-form button[type=submit]")


def test_spa_signs_in_lists_devices_ends_one_and_signs_out_holding_no_secret(
    new_context, base_url
):
    UserFactory(username="alice")
    laptop = new_context().new_page()
    sign_in_html(laptop, base_url, "alice")
    laptop_cookie = session_cookie(laptop.context)["value"]

    context = new_context()
    page = context.new_page()
    sent_headers: list[dict] = []
    page.on("request", lambda request: sent_headers.append(request.headers))
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: (
            csp_errors.append(msg.text)
            if "Content Security Policy" in msg.text
            else None
        ),
    )
    sign_in_spa(page, base_url, "alice")

    assert page.inner_text("[data-test=me-name]") == "alice"
    assert page.inner_text("[data-test=me-perms]") == "none"
    rows = page.locator("[data-test=session-row]")
    assert rows.count() == 2
    assert page.locator("[data-test=session-row][data-current=true]").count() == 1
    current = page.locator("[data-test=session-row][data-current=true]")
    assert current.locator("[data-test=this-device]").count() == 1

    cookie = session_cookie(context)
    assert cookie["httpOnly"] is True
    assert cookie["secure"] is True
    assert cookie["sameSite"] == "Lax"
    storage = client_side_storage(page)
    assert cookie["value"] not in storage["cookie"]
    assert settings.SESSION_COOKIE_NAME not in storage["cookie"]
    assert settings.CSRF_COOKIE_NAME in storage["cookie"]  # readable by design
    assert (storage["localLength"], storage["sessionLength"]) == (0, 0)
    assert cookie["value"] not in page.content()
    assert all("authorization" not in headers for headers in sent_headers)

    # End the laptop's session from the SPA: the laptop is signed out at once.
    other = page.locator("[data-test=session-row][data-current=false]")
    other.locator("[data-test=end-session]").click()
    confirm_password(page)  # a sign-in alone is not a re-authentication
    page.wait_for_selector(
        "[data-test=notice]:has-text('That session has been ended.')"
    )
    assert page.locator("[data-test=session-row]").count() == 1
    laptop.goto(f"{base_url}/account/devices/")
    assert "/accounts/login/" in laptop.url
    assert replay(laptop_cookie) == 401

    # Sign out: the cookie is gone from the browser and dead on the server.
    spa_cookie = session_cookie(context)["value"]  # rotated by the re-auth
    assert spa_cookie != cookie["value"]
    page.click("[data-test=logout]")
    page.wait_for_selector("#spa[data-state=signed-out]")
    names = [c["name"] for c in context.cookies()]
    assert settings.SESSION_COOKIE_NAME not in names
    assert replay(spa_cookie) == 401
    assert not UserSession.objects.exists()
    storage = client_side_storage(page)
    assert (storage["localLength"], storage["sessionLength"]) == (0, 0)
    assert csp_errors == []


def test_spa_signs_out_all_other_devices_and_notices_its_own_revocation(
    new_context, base_url
):
    UserFactory(username="alice")
    phones = [new_context().new_page() for _ in range(2)]
    for phone in phones:
        sign_in_html(phone, base_url, "alice")
    page = new_context().new_page()
    sign_in_spa(page, base_url, "alice")
    assert page.locator("[data-test=session-row]").count() == 3

    page.click("[data-test=revoke-others]")
    confirm_password(page)
    page.wait_for_selector("[data-test=notice]:has-text('Ended 2 other session(s).')")
    assert page.locator("[data-test=session-row]").count() == 1
    for phone in phones:
        phone.goto(f"{base_url}/account/devices/")
        assert "/accounts/login/" in phone.url

    # Revoked elsewhere (here: from the database side), the SPA's next call is
    # a 401 and it goes back to its sign-in form.
    UserSession.objects.all().delete()
    page.click("[data-test=revoke-others]")
    page.wait_for_selector("#spa[data-state=signed-out]")
    assert "Your session has ended" in page.inner_text("[data-test=error]")


def test_spa_page_is_a_shell_under_a_strict_csp(client):
    response = client.get("/app/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html and "style=" not in html
    assert f'data-csrf-cookie-name="{settings.CSRF_COOKIE_NAME}"' in html
    csp = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_spa_asks_for_the_password_and_changes_nothing_until_given(
    new_context, base_url
):
    UserFactory(username="alice")
    phone = new_context().new_page()
    sign_in_html(phone, base_url, "alice")
    page = new_context().new_page()
    sign_in_spa(page, base_url, "alice")

    # Past ACCOUNT_REAUTHENTICATION_TIMEOUT (5 min) on the server's clock.
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        page.click("[data-test=revoke-others]")
        page.wait_for_selector("[data-test=reauth-form]:visible")
        phone.goto(f"{base_url}/account/devices/")
        assert "/accounts/login/" not in phone.url  # nothing ended yet
        confirm_password(page)
        page.wait_for_selector(
            "[data-test=notice]:has-text('Ended 1 other session(s).')"
        )
        phone.goto(f"{base_url}/account/devices/")
        assert "/accounts/login/" in phone.url
