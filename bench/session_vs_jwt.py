"""What a server-side session costs per request, next to a JWT (not a test).

Run against the real back ends, e.g.:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_bench \
    REDIS_URL=redis://127.0.0.1:6379/10 .venv/bin/python bench/session_vs_jwt.py

It migrates that database, signs one user in, and then times, in one run and
interleaved so that machine noise hits every variant alike:

- session: Django's SessionMiddleware + this app's AuthenticationMiddleware,
  i.e. one Redis GET for the session data and one PostgreSQL query that loads
  the registry row and the user together;
- jwt: PyJWT HS256 verification alone (no I/O: the "stateless" claim);
- jwt+user: verification plus loading the user, as most JWT apps do to check
  is_active and permissions;
- jwt+denylist+user: plus a Redis GET of a jti deny-list, what it takes to make
  a JWT revocable.

It also measures how soon a revocation takes effect for each.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django

django.setup()

import jwt  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.sessions.middleware import SessionMiddleware  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402

from sessions_audit import services  # noqa: E402
from sessions_audit.middleware import AuthenticationMiddleware  # noqa: E402
from sessions_audit.models import Reason, UserSession  # noqa: E402

ROUNDS, PER_ROUND = 20, 250
JWT_KEY = "bench-only-hs256-key-" + "k" * 32
ACCESS_TOKEN_LIFETIME = 15 * 60


def main() -> None:
    if "postgresql" not in settings.DATABASES["default"][
        "ENGINE"
    ] or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the figures need them.")
    call_command("migrate", verbosity=0)
    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench-user")
    user.set_password("bench-password-123")
    user.save()

    client = Client(HTTP_HOST="localhost")
    client.post(
        "/accounts/login/", {"login": "bench-user", "password": "bench-password-123"}
    )
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.get("/")  # session data now cached in Redis

    factory = RequestFactory()
    sessions_mw = SessionMiddleware(lambda r: None)
    auth_mw = AuthenticationMiddleware(lambda r: None)
    redis = caches["default"]
    token = jwt.encode(
        {"sub": str(user.pk), "jti": "j1", "exp": int(time.time()) + 3600},
        JWT_KEY,
        "HS256",
    )

    def session_auth():
        request = factory.get(
            "/",
            HTTP_HOST="localhost",
            HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={cookie}",
        )
        sessions_mw.process_request(request)
        auth_mw.process_request(request)
        assert request.user.is_authenticated

    def jwt_only():
        jwt.decode(token, JWT_KEY, algorithms=["HS256"])

    def jwt_user():
        claims = jwt.decode(token, JWT_KEY, algorithms=["HS256"])
        User.objects.get(pk=claims["sub"], is_active=True)

    def jwt_denylist_user():
        claims = jwt.decode(token, JWT_KEY, algorithms=["HS256"])
        assert redis.get(f"deny:{claims['jti']}") is None
        User.objects.get(pk=claims["sub"], is_active=True)

    def full_request():
        assert client.get("/").status_code == 200

    variants = {
        "session": session_auth,
        "jwt": jwt_only,
        "jwt+user": jwt_user,
        "jwt+denylist+user": jwt_denylist_user,
        "full request (session, home page)": full_request,
    }
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for fn in variants.values():  # warm up
        for _ in range(50):
            fn()
    for _ in range(ROUNDS):
        for name, fn in variants.items():
            start = time.perf_counter()
            for _ in range(PER_ROUND):
                fn()
            samples[name].append((time.perf_counter() - start) / PER_ROUND * 1e6)

    base = statistics.median(samples["session"])
    print(f"{'variant':36} {'median us':>10} {'p90 us':>8} {'x session':>10}")
    for name, values in samples.items():
        values.sort()
        median = statistics.median(values)
        p90 = values[int(len(values) * 0.9) - 1]
        print(f"{name:36} {median:10.1f} {p90:8.1f} {median / base:10.2f}")

    # Revocation: how long until a stolen credential stops working.
    row = UserSession.objects.get(session_key=cookie)
    services.revoke_session(session=row, actor=None, reason=Reason.ADMIN)
    start = time.perf_counter()
    refused = client.get("/account/devices/").status_code == 302
    lag_ms = (time.perf_counter() - start) * 1e3
    print(f"\nsession revoked -> next request refused: {refused} ({lag_ms:.1f} ms)")
    still_valid = bool(jwt.decode(token, JWT_KEY, algorithms=["HS256"]))
    print(
        f"JWT after 'logout' still verifies: {still_valid}; without a deny-list "
        f"it works until exp (a typical access token: {ACCESS_TOKEN_LIFETIME} s)"
    )


if __name__ == "__main__":
    main()
