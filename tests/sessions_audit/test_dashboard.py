"""The dashboard: server-rendered SVG charts over a chosen range of days."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from sessions_audit import charts
from sessions_audit.models import EventType, Reason
from sessions_audit.services import record_event

pytestmark = pytest.mark.django_db

URL = "/audit/dashboard/"


def _at(day: int, event_type: str, reason: str = "") -> None:
    with time_machine.travel(datetime(2026, 11, day, 12, tzinfo=UTC)):
        record_event(event_type=event_type, reason=reason)


@pytest.fixture
def auditor_browser(auditor, login, alice):
    browser = login(Client(), "auditor")
    login(Client(), "alice")
    return browser


def _total(body: str, chart: str) -> int:
    return int(re.search(rf'data-test="{chart}" data-total="(\d+)"', body)[1])


def test_charts_count_the_chosen_range(auditor_browser):
    _at(1, EventType.LOGIN_SUCCEEDED)
    _at(2, EventType.LOGIN_SUCCEEDED)
    _at(2, EventType.LOGIN_FAILED)
    _at(2, EventType.PASSKEY_LOGIN_FAILED)
    _at(3, EventType.SESSION_REVOKED, Reason.ADMIN)
    _at(3, EventType.SESSION_REVOKED, Reason.ADMIN)
    _at(3, EventType.SESSION_EXPIRED, Reason.IDLE)
    _at(20, EventType.LOGIN_SUCCEEDED)  # outside the range
    response = auditor_browser.get(URL, {"since": "2026-11-01", "until": "2026-11-07"})
    assert response.status_code == 200
    body = response.content.decode()
    assert _total(body, "chart-signins") == 2 + 2  # 2 sign-ins, 2 failures
    assert _total(body, "chart-revocations") == 3
    assert _total(body, "chart-active") == 2  # the auditor's and alice's
    assert "2026-11-02: 1 sign-ins" in body
    assert "2026-11-02: 2 failed sign-ins" in body
    assert "Ended by an admin: 2" in body
    assert "Idle timeout: 1" in body
    assert body.count("<rect") >= 7 * 2
    # No inline styles or scripts (the CSP forbids them), no external chart code.
    assert "style=" not in body
    assert "<style" not in body
    assert "<script" not in body


def test_default_range_is_the_last_thirty_days(auditor_browser):
    response = auditor_browser.get(URL)
    assert response.status_code == 200
    chart = response.context["signins"]
    assert len(chart.bars) == 30 * 2


@pytest.mark.parametrize(
    "query",
    [
        {"since": "2026-11-05", "until": "2026-11-01"},
        {"since": "2024-01-01", "until": "2026-11-01"},
        {"since": "soon"},
    ],
)
def test_bad_range_is_a_400(auditor_browser, query):
    response = auditor_browser.get(URL, query)
    assert response.status_code == 400
    assert b"<svg" not in response.content


def test_daily_bars_scale_to_the_busiest_day():
    from datetime import date

    chart = charts.daily_bars(
        [("a", "#000", {date(2026, 1, 2): 4}), ("b", "#111", {date(2026, 1, 2): 2})],
        since=date(2026, 1, 1),
        until=date(2026, 1, 2),
    )
    heights = [bar.height for bar in chart.bars]
    plot = charts.HEIGHT - charts.BOTTOM - charts.TOP
    assert heights == [0, 0, plot, plot / 2]
    assert chart.total == 6


def test_day_labels_stay_inside_the_chart_and_an_empty_chart_says_so():
    from datetime import date

    from sessions_audit.charts import WIDTH, daily_bars, horizontal_bars

    chart = daily_bars(
        [("sign-ins", "#2456d3", {})], since=date(2026, 11, 4), until=date(2026, 12, 3)
    )
    ticks = [label for label in chart.labels if "-" in label[2]]
    assert [(text, anchor) for _, _, text, anchor in ticks] == [
        ("11-04", "start"),
        ("11-19", "middle"),
        ("12-03", "end"),
    ]
    assert all(0 <= x <= WIDTH for x, _, _, _ in ticks)
    empty = horizontal_bars([], fill="#b3261e")
    assert [text for _, _, text, _ in empty.labels] == ["None in this range."]
