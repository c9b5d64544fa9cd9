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
    def IDLE_TIMEOUT(self) -> timedelta:
        """A session unused this long ends (reason ``idle``)."""
        return timedelta(seconds=self._setting("IDLE_TIMEOUT_SECONDS", 30 * 60))

    @property
    def STAFF_IDLE_TIMEOUT(self) -> timedelta:
        """The idle timeout of staff sessions (admins hold more power)."""
        return timedelta(seconds=self._setting("STAFF_IDLE_TIMEOUT_SECONDS", 15 * 60))

    @property
    def ABSOLUTE_TIMEOUT(self) -> timedelta:
        """A session ends this long after sign-in (or re-authentication), always."""
        return timedelta(
            seconds=self._setting("ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60)
        )

    @property
    def MAX_SESSIONS_PER_USER(self) -> int:
        """Beyond this many sessions a sign-in ends the oldest one."""
        return self._setting("MAX_SESSIONS_PER_USER", 10)

    @property
    def CLEANUP_PROGRESS_THRESHOLD(self) -> int:
        """The expiry clean-up shows a progress bar from this many sessions on."""
        return self._setting("CLEANUP_PROGRESS_THRESHOLD", 1000)

    @property
    def AUDIT_RETENTION_DAYS(self) -> int:
        """Audit events older than this many days are purged by purge_audit."""
        return int(self._setting("AUDIT_RETENTION_DAYS", 400))

    @property
    def USER_AGENT_MAX_LENGTH(self) -> int:
        return 512

    def idle_timeout_for(self, user) -> timedelta:
        return self.STAFF_IDLE_TIMEOUT if user.is_staff else self.IDLE_TIMEOUT


app_settings = AppSettings()
