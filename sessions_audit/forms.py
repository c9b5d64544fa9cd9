"""Filter forms of the auditor pages (the list, the export, the dashboard)."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from .models import EventType

MAX_DASHBOARD_DAYS = 366


def start_of_day(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class AuditFilterForm(forms.Form):
    """Date range (UTC days, both inclusive), user, event type, IP address."""

    since = forms.DateField(required=False, label="From (UTC)")
    until = forms.DateField(required=False, label="To (UTC, inclusive)")
    user = forms.CharField(required=False, max_length=150, label="User")
    event_type = forms.ChoiceField(
        required=False, choices=[("", "any"), *EventType.choices], label="Event type"
    )
    ip = forms.GenericIPAddressField(required=False, label="IP address")

    def clean_user(self):
        username = self.cleaned_data["user"].strip()
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise forms.ValidationError("No user with that username.")
        return user

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        _check_bounds(since, until)
        if since and until and since > until:
            raise forms.ValidationError("The start date is after the end date.")
        return data

    def selection(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors.audit_events``."""
        data = self.cleaned_data
        return {
            "since": start_of_day(data["since"]) if data.get("since") else None,
            "until": (
                start_of_day(data["until"] + timedelta(days=1))
                if data.get("until")
                else None
            ),
            "types": [data["event_type"]] if data.get("event_type") else None,
            "user": data.get("user"),
            "ip": data.get("ip") or None,
        }

    def described(self) -> dict[str, str]:
        """The filters as recorded in the ``audit_exported`` event."""
        data = self.cleaned_data
        return {
            name: str(value.get_username() if name == "user" else value)
            for name, value in data.items()
            if value
        }


# The calendar's edges: a day after 9999-12-31 or a month before 0001-01-01
# does not exist, and the views compute both.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9999, 12, 30)


def _check_bounds(*days) -> None:
    if any(day is not None and not FIRST_DAY <= day <= LAST_DAY for day in days):
        raise forms.ValidationError(
            f"Choose dates between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}."
        )


class DashboardRangeForm(forms.Form):
    """A range of UTC days for the dashboard, at most a year long."""

    since = forms.DateField(required=False, label="From (UTC)")
    until = forms.DateField(required=False, label="To (UTC, inclusive)")

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        _check_bounds(data.get("since"), data.get("until"))
        until = data.get("until") or self.today
        since = data.get("since") or until - timedelta(days=29)
        if since > until:
            raise forms.ValidationError("The start date is after the end date.")
        if (until - since).days + 1 > MAX_DASHBOARD_DAYS:
            raise forms.ValidationError(f"Choose at most {MAX_DASHBOARD_DAYS} days.")
        data["since"], data["until"] = since, until
        return data
