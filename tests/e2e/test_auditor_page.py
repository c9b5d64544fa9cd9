"""End to end: an auditor filters the audit log and downloads it after re-auth."""

import csv
import io
import re
from pathlib import Path

import pytest

from sessions_audit.models import EventType
from sessions_audit.services import record_event
from tests.factories import UserFactory
from tests.helpers import auditors_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-9"
# The page's own form, not the header's sign-out button.
REAUTH_SUBMIT = 'form[action^="/accounts/reauthenticate/"] button[type=submit]'


def test_auditor_filters_and_downloads_a_neutralised_csv(new_context, base_url):
    alice = UserFactory(username="alice")
    auditor = UserFactory(username="auditor", is_staff=True)
    auditor.groups.add(auditors_group())
    record_event(
        event_type=EventType.LOGIN_FAILED,
        subject=alice,
        data={"username": '=HYPERLINK("http://evil.example/")'},
    )

    page = new_context().new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", "auditor")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_selector("[data-test=signed-in-as]")

    page.goto(f"{base_url}/audit/")
    page.fill("input[name=user]", "alice")
    page.select_option("select[name=event_type]", "login_failed")
    page.click("[data-test=audit-filters] button[type=submit]")
    assert page.locator("[data-test=event-row]").count() == 1

    page.click("[data-test=export-csv]")
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_download() as download_info:
        page.click(REAUTH_SUBMIT)
    download = download_info.value
    # No dates chosen: the name carries the range of the exported events.
    assert re.fullmatch(
        r"audit-\d{8}T\d{6}Z-\d{8}T\d{6}Z\.csv", download.suggested_filename
    )
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
    assert [(r["event_type"], r["subject"]) for r in rows] == [
        ("login_failed", "alice")
    ]
    assert rows[0]["data"] == '{"username": "=HYPERLINK(\\"http://evil.example/\\")"}'

    page.goto(f"{base_url}/audit/dashboard/")
    assert page.locator("svg[data-test=chart-signins] rect").count() >= 60
