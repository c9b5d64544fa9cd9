"""Django's ``cached_db`` session engine, with key rotation followed in the registry.

Everything else (key generation, serialisation, cache-then-database reads) is
Django's own.
"""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore


class SessionStore(CachedDBStore):
    def cycle_key(self) -> None:
        old_key = self.session_key
        super().cycle_key()
        if old_key:
            from .services import rotate_session

            rotate_session(old_key=old_key, new_key=self.session_key)
