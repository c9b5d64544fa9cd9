"""Passkey knobs, read lazily so that ``override_settings`` works in tests."""

from django.conf import settings


class AppSettings:
    prefix = "PASSKEYS"

    def _setting(self, name: str, default):
        return getattr(settings, self.prefix, {}).get(name, default)

    @property
    def RP_ID(self) -> str:
        """The WebAuthn relying party id: the site's registrable domain."""
        return self._setting("RP_ID", "localhost")

    @property
    def RP_NAME(self) -> str:
        return self._setting("RP_NAME", "Session control")

    @property
    def ALLOWED_ORIGINS(self) -> list[str]:
        """Exact origins a ceremony may come from (scheme, host and port)."""
        return list(self._setting("ALLOWED_ORIGINS", ["http://localhost:8000"]))

    @property
    def CEREMONY_SECONDS(self) -> int:
        """How long a challenge lives; also the browser timeout (300000 ms)."""
        return int(self._setting("CEREMONY_SECONDS", 300))

    @property
    def MAX_BODY_BYTES(self) -> int:
        """Largest ceremony request body; a real one is a few kilobytes."""
        return int(self._setting("MAX_BODY_BYTES", 64 * 1024))

    @property
    def NAME_MAX_LENGTH(self) -> int:
        return 64


app_settings = AppSettings()
