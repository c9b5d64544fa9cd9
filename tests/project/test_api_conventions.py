"""Rules every /api/ route follows, checked by walking the URLConf.

The walk finds every route under /api/ (including the ones other features add),
so a new endpoint that forgets CSRF, JSON-only bodies, no-store or leaks a
secret fails here without a test of its own.
"""

import json
import re
import uuid

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.parsers import JSONParser

from sessions_audit.models import UserSession
from tests.api_helpers import api_client, api_reauth, api_sign_in, call, csrf
from tests.factories import UserFactory
from tests.helpers import sid

pytestmark = pytest.mark.django_db

UNSAFE = ("post", "put", "patch", "delete")
SECRET_KEYS = re.compile(r"session_?key|sessionid|token|secret", re.IGNORECASE)
CONVERTERS = {"uuid": lambda: str(uuid.uuid4()), "int": lambda: "1"}


def api_routes() -> list[tuple[str, type]]:
    """(path template, DRF view class) for every route under /api/."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = "/" + prefix + str(pattern.pattern)
                view_class = getattr(pattern.callback, "cls", None)
                if route.startswith("/api/") and view_class is not None:
                    found.append((route, view_class))

    walk(get_resolver().url_patterns, "")
    return found


def fill(route: str, **values: str) -> str:
    def replace(match: re.Match) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        if name in values:
            return values[name]
        return CONVERTERS.get(converter, lambda: "x")()

    return re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)


def methods(view_class: type) -> list[str]:
    return [m for m in ("get", *UNSAFE) if hasattr(view_class, m)]


def unsafe_routes():
    return [
        (route, method)
        for route, view_class in api_routes()
        for method in methods(view_class)
        if method in UNSAFE
    ]


def get_routes():
    return [route for route, view_class in api_routes() if "get" in methods(view_class)]


@pytest.fixture
def superuser_client(password):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    client = api_client()
    api_sign_in(client, "root", password)
    api_reauth(client, password)
    return client


def test_the_walk_finds_the_documented_endpoints():
    routes = {route for route, _ in api_routes()}
    assert {
        "/api/auth/csrf/",
        "/api/auth/login/",
        "/api/auth/logout/",
        "/api/auth/reauth/",
        "/api/me/",
        "/api/sessions/",
        "/api/sessions/<uuid:session_id>/",
        "/api/sessions/revoke-others/",
        "/api/audit/events/",
        "/api/audit/export.csv",
        "/api/admin/users/<int:user_id>/force-logout/",
    } <= routes


def test_every_unsafe_route_needs_the_csrf_header(superuser_client):
    for route, method in unsafe_routes():
        path = fill(route)
        response = getattr(superuser_client, method)(
            path, data="{}", content_type="application/json"
        )
        assert response.status_code == 403, (method, path)
        assert response.json()["code"] == "csrf_failed", (method, path)
    assert superuser_client.get("/api/me/").status_code == 200


def test_with_the_csrf_header_no_unsafe_route_fails_csrf(superuser_client):
    for route, method in unsafe_routes():
        if route == "/api/auth/logout/":
            continue  # would end the session the walk runs on
        response = call(superuser_client, method, fill(route), {})
        assert response.status_code != 500, (method, route)
        if response.status_code == 403:
            assert response.json()["code"] != "csrf_failed", (method, route)


def test_anonymous_unsafe_routes_are_csrf_checked_too(db):
    client = api_client()
    csrf(client)
    for route, method in unsafe_routes():
        response = getattr(client, method)(
            fill(route), data="{}", content_type="application/json"
        )
        # 403 when the endpoint is open to anonymous callers (login CSRF),
        # 401 when it needs a session anyway.
        assert response.status_code in (401, 403), (method, route)
        if response.status_code == 403:
            assert response.json()["code"] == "csrf_failed", (method, route)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"login": "root"}'),
        ("application/x-www-form-urlencoded", "login=root&password=x"),
        ("multipart/form-data; boundary=BoUnDaRy", "--BoUnDaRy--\r\n"),
    ],
)
def test_unsafe_routes_accept_json_bodies_only(superuser_client, content_type, body):
    token = csrf(superuser_client)
    for route, method in unsafe_routes():
        response = getattr(superuser_client, method)(
            fill(route),
            data=body,
            content_type=content_type,
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 415, (method, route)
        assert response.json()["code"] == "unsupported_media_type"
    assert superuser_client.get("/api/me/").status_code == 200


def test_state_changing_routes_refuse_get_and_change_nothing(superuser_client):
    key = sid(superuser_client)
    for route, view_class in api_routes():
        if "get" in methods(view_class):
            continue
        response = superuser_client.get(fill(route))
        assert response.status_code == 405, route
        assert response.json()["code"] == "method_not_allowed"
    assert UserSession.objects.filter(session_key=key).exists()
    assert superuser_client.get("/api/me/").status_code == 200


def _keys(value) -> list[str]:
    if isinstance(value, dict):
        return [k for key, item in value.items() for k in (key, *_keys(item))]
    if isinstance(value, list):
        return [k for item in value for k in _keys(item)]
    return []


def test_get_endpoints_hold_no_secret_and_are_not_cached(superuser_client):
    key = sid(superuser_client)
    token = csrf(superuser_client)
    own = str(UserSession.objects.get(session_key=key).pk)
    crawled = 0
    for route in get_routes():
        response = superuser_client.get(fill(route, session_id=own, user_id="1"))
        if response.status_code == 405:
            continue
        crawled += 1
        body = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        ).decode()
        assert key not in body, route
        assert token not in body, route
        assert "no-store" in response["Cache-Control"], route
        if response.get("Content-Type", "").startswith("application/json"):
            leaked = [k for k in _keys(json.loads(body)) if SECRET_KEYS.search(k)]
            assert leaked == [], route
    assert crawled >= 5


def test_api_answers_json_even_when_html_is_asked_for(superuser_client):
    response = superuser_client.get("/api/me/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    missing = superuser_client.get("/api/no-such-thing/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_session_key_is_only_accepted_from_the_cookie(alice, password):
    client = api_client()
    api_sign_in(client, "alice", password)
    api_reauth(client, password)
    key = sid(client)
    stranger = api_client()
    assert stranger.get(f"/api/me/?sessionid={key}").status_code == 401
    assert stranger.get("/api/me/", headers={"X-Session-Id": key}).status_code == 401
    assert (
        stranger.get("/api/me/", headers={"Authorization": f"Bearer {key}"}).status_code
        == 401
    )


def test_unsafe_request_from_a_foreign_origin_is_refused(superuser_client):
    response = call(
        superuser_client,
        "POST",
        "/api/sessions/revoke-others/",
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


# --- CORS ---------------------------------------------------------------------------

ALLOWED = "http://localhost:5173"


def preflight(client, origin: str):
    return client.options(
        "/api/me/",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-csrftoken, content-type",
        },
    )


def test_cors_is_an_exact_allowlist_with_credentials(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]
    client = api_client()
    allowed = preflight(client, ALLOWED)
    assert allowed["Access-Control-Allow-Origin"] == ALLOWED
    assert allowed["Access-Control-Allow-Credentials"] == "true"
    assert "x-csrftoken" in allowed["Access-Control-Allow-Headers"]
    refused = preflight(client, "https://evil.example")
    assert "Access-Control-Allow-Origin" not in refused
    # A look-alike is not the allowed origin.
    assert "Access-Control-Allow-Origin" not in preflight(client, ALLOWED + "0")
    vary = client.get("/api/me/", headers={"Origin": ALLOWED})["Vary"]
    assert "origin" in vary.lower()


def test_cors_is_off_by_default_and_never_a_wildcard():
    assert settings.CORS_ALLOWED_ORIGINS == []
    assert not getattr(settings, "CORS_ALLOW_ALL_ORIGINS", False)
    assert getattr(settings, "CORS_ALLOWED_ORIGIN_REGEXES", []) == []
    response = preflight(api_client(), "https://evil.example")
    assert "Access-Control-Allow-Origin" not in response


def test_only_session_authentication_is_configured():
    from rest_framework.authentication import SessionAuthentication
    from rest_framework.settings import api_settings

    classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES
    assert len(classes) == 1
    assert issubclass(classes[0], SessionAuthentication)
    assert api_settings.DEFAULT_RENDERER_CLASSES[0].__name__ == "JSONRenderer"
    assert len(api_settings.DEFAULT_RENDERER_CLASSES) == 1
    parsers = api_settings.DEFAULT_PARSER_CLASSES
    assert len(parsers) == 1 and issubclass(parsers[0], JSONParser)


@pytest.mark.parametrize(
    ("fetch_site", "status"),
    [("cross-site", 403), ("same-site", 200), ("same-origin", 200), ("none", 200)],
)
def test_unsafe_requests_marked_cross_site_are_refused(
    superuser_client, fetch_site, status
):
    response = call(
        superuser_client,
        "POST",
        "/api/sessions/revoke-others/",
        headers={"Sec-Fetch-Site": fetch_site},
    )
    assert response.status_code == status
    if status == 403:
        assert response.json()["code"] == "csrf_failed"
    assert (
        superuser_client.get(
            "/api/me/", headers={"Sec-Fetch-Site": "cross-site"}
        ).status_code
        == 200
    )
