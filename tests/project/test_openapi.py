"""The generated OpenAPI schema, its docs page, and schemathesis against both.

schemathesis reads the schema from the app itself (WSGI, no server), generates
requests for every operation and checks the answers against the schema: no
5xx, documented status codes, content types and bodies. It runs signed in,
with the CSRF header, so that the authenticated paths are exercised; a session
that a generated request ends (sign-out, revoke, force-logout) is replaced
before the next example.
"""

from contextlib import contextmanager

import pytest
import schemathesis
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.core.parameters import ParameterLocation

from sessions_audit.models import UserSession
from tests.api_helpers import api_sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/schema/?format=json"


@pytest.fixture
def credentials(db):
    """A callable giving the cookies and CSRF header of a live superuser session."""
    user = UserFactory(username="schemathesis", is_staff=True, is_superuser=True)
    client = Client(enforce_csrf_checks=True)
    state: dict = {}

    def current() -> tuple[dict, dict]:
        key = state.get("key")
        if key is None or not UserSession.objects.filter(session_key=key).exists():
            client.cookies.clear()
            # A real sign-in, so that the re-auth-gated operations run too.
            api_sign_in(client, user.username)
            state["key"] = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies = {name: morsel.value for name, morsel in client.cookies.items()}
        headers = {"X-CSRFToken": cookies[settings.CSRF_COOKIE_NAME]}
        return cookies, headers

    return current


def _load_schema():
    # Loaded at collection (pytest-django has set Django up by then); drawing
    # the schema touches no database.
    from project.wsgi import application

    return schemathesis.openapi.from_wsgi(SCHEMA_URL, application)


schema = _load_schema()


@contextmanager
def connection_kept():
    """Keep the test's database connection across a WSGI request.

    schemathesis calls the WSGI application itself, whose request signals
    would close the connection holding the test's transaction (Django's test
    client disconnects the same receiver around each request, for the same
    reason).
    """
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, credentials):
    cookies, headers = credentials()
    session_cookie = settings.SESSION_COOKIE_NAME
    # The session cookie is the schema's security parameter: where
    # schemathesis generated one, send the real value instead; where it left
    # it out or mangled it on purpose (negative cases), send none, and the
    # answer must be 401.
    negative_cookie = case.meta is not None and case.meta.is_negative_at(
        ParameterLocation.COOKIE
    )
    if case.cookies and session_cookie in case.cookies and not negative_cookie:
        case.cookies[session_cookie] = cookies[session_cookie]
    csrf_cookie = {settings.CSRF_COOKIE_NAME: cookies[settings.CSRF_COOKIE_NAME]}
    with connection_kept():
        case.call_and_validate(headers=headers, cookies=csrf_cookie)


def test_schema_documents_every_api_route(client):
    from tests.project.test_api_conventions import api_routes

    document = client.get(SCHEMA_URL).json()
    assert document["openapi"].startswith("3.")
    documented = set(document["paths"])
    for route, _ in api_routes():
        if route in ("/api/schema/", "/api/docs/"):
            continue
        path = route.replace("<uuid:", "{").replace("<int:", "{").replace("<", "{")
        path = path.replace(">", "}")
        assert path in documented, route
    assert document["components"]["securitySchemes"] == {
        "cookieAuth": {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
        }
    }


def test_docs_page_loads_its_assets_from_this_server_under_the_csp(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html
    assert "<script>" not in html  # every script has a src on this origin
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert SCHEMA_URL.split("?")[0] in script.content.decode()
