"""Redis outage: a real redis-server, started on a spare loopback port and stopped.

With Redis down, signed-in users keep working from the database, sign-in works,
revocations take effect and nothing answers 500. When Redis comes back with
the copies it held before (its dump reloaded), a session revoked during the
outage is still refused: the database, not the cache, says what is valid.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.test import Client, override_settings

from project.cache import redis_options
from sessions_audit.models import Event, EventType, Reason, UserSession
from tests.helpers import PASSWORD, cached, reauthenticate, sid

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisProcess:
    """One redis-server on a loopback port, with its dump in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.port = _spare_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=1)

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 (fixed argv, no shell)
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--dbfilename",
                "dump.rdb",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.client().ping():
                    return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """Save what it holds (as a restart would find it), then exit."""
        with contextlib.suppress(redis.ConnectionError):  # it drops as it exits
            self.client().shutdown(save=True)
        self.process.wait(timeout=10)
        assert self.process.returncode is not None
        with pytest.raises(redis.ConnectionError):
            self.client().ping()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisProcess]:
    if not os.path.exists(REDIS_SERVER):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but redis-server is not installed.")
        pytest.skip("redis-server is not installed (CI installs it).")
    server = RedisProcess(tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def redis_caches(redis_server):
    options = redis_options()  # exactly what settings.py uses
    caches = {
        "default": {
            "BACKEND": "project.cache.DegradingRedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "outage",
            "OPTIONS": options,
        },
        "sessions": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "outage-sess",
            "OPTIONS": options,
        },
    }
    # override_settings(CACHES=...) makes Django drop its cache connections.
    with override_settings(CACHES=caches, DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS=True):
        yield redis_server


class Browser(Client):
    """A test client that fails the test on any 5xx answer."""

    def request(self, **request):
        response = super().request(**request)
        assert response.status_code < 500, response.content[:500]
        return response


def _signed_in(client: Client) -> bool:
    return client.get("/account/devices/").status_code == 200


def _sign_in(client: Client, username: str) -> Client:
    response = client.post(
        "/accounts/login/", {"login": username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content[:300]
    return client


def test_sessions_survive_a_redis_outage_and_revocations_hold(redis_caches, alice, bob):
    server = redis_caches
    laptop, phone = _sign_in(Browser(), "alice"), _sign_in(Browser(), "alice")
    laptop.get("/")
    phone.get("/")
    phone_key, phone_row = sid(phone), UserSession.objects.get(session_key=sid(phone))
    assert cached(phone_key) is not None  # Redis really holds the session
    assert server.client().dbsize() > 0

    server.stop()

    # Signed-in users keep working from the database.
    assert _signed_in(laptop) and _signed_in(phone)
    # Sign-in works (allauth's rate limits degrade instead of refusing).
    started = time.monotonic()
    tablet = _sign_in(Browser(), "bob")
    assert time.monotonic() - started < 5
    assert _signed_in(tablet)
    # A revocation takes effect: alice ends her phone from her laptop.
    reauthenticate(laptop)
    laptop.post(f"/account/devices/{phone_row.pk}/end/")
    assert not _signed_in(phone)
    assert _signed_in(laptop)
    # Sign-out works too.
    tablet.post("/accounts/logout/")
    assert not _signed_in(tablet)

    server.start()  # the dump taken at shutdown is loaded again

    # The phone's pre-outage copy is back in Redis...
    assert cached(phone_key) is not None
    # ...and still authenticates nobody: its registry row is gone.
    replay = Browser()
    replay.cookies[settings.SESSION_COOKIE_NAME] = phone_key
    assert not _signed_in(replay)
    assert not _signed_in(phone)
    assert cached(phone_key) is None  # flushed on that request
    assert _signed_in(laptop)
    revoked = Event.objects.get(event_type=EventType.SESSION_REVOKED)
    assert (revoked.session_ref, revoked.reason) == (phone_row.ref, Reason.SELF)
