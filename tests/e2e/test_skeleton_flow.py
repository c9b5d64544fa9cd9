"""End to end: sign in, force-logout from the admin, export the trail as CSV."""

import csv
import io
from pathlib import Path

import pytest

from tests.factories import UserFactory
from tests.helpers import auditors_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-9"
# The page's own form, not the header's sign-out button.
REAUTH_SUBMIT = 'form[action^="/accounts/reauthenticate/"] button[type=submit]'


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_selector("[data-test=signed-in-as]")


def test_force_logout_in_admin_signs_user_out_and_csv_holds_the_trail(
    new_context, base_url
):
    UserFactory(username="alice")
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    auditor = UserFactory(username="auditor", is_staff=True)
    auditor.groups.add(auditors_group())

    user_page = new_context().new_page()
    sign_in(user_page, base_url, "alice")
    user_page.goto(f"{base_url}/account/devices/")
    assert user_page.locator("[data-test=session-row]").count() == 1
    cookies = user_page.context.cookies()
    session_cookie = next(c for c in cookies if c["name"].endswith("session"))
    assert session_cookie["httpOnly"] is True
    assert user_page.evaluate("document.cookie").find(session_cookie["value"]) == -1

    admin_page = new_context().new_page()
    sign_in(admin_page, base_url, "boss")
    admin_page.goto(f"{base_url}/admin/accounts/user/?q=alice")
    admin_page.check("input[name=_selected_action]")
    admin_page.select_option("select[name=action]", "force_logout_action")
    admin_page.click("button[name=index]")
    assert "This will end 1 session now." in admin_page.inner_text(
        "[data-test=revoke-count]"
    )
    admin_page.fill("input[name=note]", "laptop reported stolen")
    admin_page.click("[data-test=confirm-revoke]")
    assert "Ended 1 session." in admin_page.inner_text("ul.messagelist")

    user_page.goto(f"{base_url}/account/devices/")
    assert "/accounts/login/" in user_page.url
    assert user_page.locator("input[name=password]").count() == 1

    auditor_page = new_context().new_page()
    sign_in(auditor_page, base_url, "auditor")
    auditor_page.goto(f"{base_url}/admin/sessions_audit/event/")
    # Exporting needs the password again (allauth re-authentication), then the
    # download starts on its own.
    auditor_page.click("[data-test=export-csv]")
    auditor_page.wait_for_url("**/accounts/reauthenticate/**")
    auditor_page.fill("input[name=password]", PASSWORD)
    with auditor_page.expect_download() as download_info:
        auditor_page.click(
            'form[action^="/accounts/reauthenticate/"] button[type=submit]'
        )
    download = download_info.value
    assert download.suggested_filename.startswith("audit-")
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    sign_ins = [
        r
        for r in rows
        if r["event_type"] == "login_succeeded" and r["subject"] == "alice"
    ]
    assert len(sign_ins) == 1
    revoked = [r for r in rows if r["event_type"] == "session_revoked"]
    assert len(revoked) == 1
    assert (revoked[0]["actor"], revoked[0]["subject"], revoked[0]["reason"]) == (
        "boss",
        "alice",
        "admin",
    )
    assert revoked[0]["session_ref"] == sign_ins[0]["session_ref"]
    assert session_cookie["value"] not in text
