"""App knobs, read lazily so that ``override_settings`` works in tests."""

from datetime import timedelta

from django.conf import settings


class AppSettings:
    prefix = "SESSIONS_AUDIT"

    def _setting(self, name: str, default):
        return getattr(settings, self.prefix, {}).get(name, default)

    @property
    def SESSION_REF_PEPPER(self) -> str:
        # Falls back to a value derived from SECRET_KEY (see refs.py) when unset.
        return self._setting("SESSION_REF_PEPPER", "")

    @property
    def TRUSTED_PROXIES(self) -> list[str]:
        """Addresses whose X-Forwarded-For is believed (the load balancers)."""
        return self._setting("TRUSTED_PROXIES", [])

    @property
    def ACTIVITY_WINDOW(self) -> timedelta:
        """At most one last-seen write per session per window."""
        return timedelta(seconds=self._setting("ACTIVITY_WINDOW_SECONDS", 60))

    @property
    def AUDIT_RETENTION_DAYS(self) -> int:
        """Audit events older than this many days are purged by purge_audit."""
        return int(self._setting("AUDIT_RETENTION_DAYS", 400))

    @property
    def USER_AGENT_MAX_LENGTH(self) -> int:
        return 512


app_settings = AppSettings()
