"""A single-page client served from another origin (a second loopback port).

The same client (static/js/spa.js) is served by a tiny static file server on
another port and calls the app with ``credentials: "include"``. On the CORS
allowlist it works; from an origin not on the list the browser refuses to let
it read anything, and no sign-in happens.

localhost:A and localhost:B are different origins but the same site: the
``__Host-`` cookies and ``SameSite=Lax`` still travel, which is why this works
without ``SameSite=None`` (see the README on cross-site clients).
"""

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from sessions_audit.models import Event, EventType, UserSession
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-9"
STATIC_JS = Path(settings.BASE_DIR) / "static" / "js" / "spa.js"
TEMPLATE = Path(settings.BASE_DIR) / "templates" / "spa" / "index.html"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def _page(api_base: str) -> str:
    """The SPA shell as a static file, pointed at the app's origin."""
    html = TEMPLATE.read_text(encoding="utf-8")
    html = html.replace("{% load static %}", "")
    html = html.replace(
        "{% static 'css/site.css' %}", f"{api_base}/static/css/site.css"
    )
    html = html.replace("{% static 'js/spa.js' %}", "/spa.js")
    html = html.replace("{{ csrf_cookie_name }}", settings.CSRF_COOKIE_NAME)
    html = html.replace('data-api-base=""', f'data-api-base="{api_base}"')
    assert "{%" not in html.replace("{# ", "").split("#}")[-1]
    return html


@pytest.fixture
def static_origin(tmp_path, base_url) -> Iterator:
    """Start static servers on spare loopback ports; yield a factory of origins."""
    servers = []

    def start() -> str:
        root = tmp_path / f"site{len(servers)}"
        root.mkdir()
        (root / "index.html").write_text(_page(base_url), encoding="utf-8")
        shutil.copy(STATIC_JS, root / "spa.js")
        handler = functools.partial(_Quiet, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://localhost:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_client_on_an_allowed_origin_signs_in_and_out_with_the_cookie(
    new_context, base_url, static_origin, settings
):
    UserFactory(username="alice")
    origin = static_origin()
    settings.CORS_ALLOWED_ORIGINS = [origin]
    settings.CSRF_TRUSTED_ORIGINS = [origin]

    context = new_context()
    page = context.new_page()
    page.goto(f"{origin}/")
    page.wait_for_selector("#spa[data-state=signed-out]")
    page.fill("#signin-form input[name=login]", "alice")
    page.fill("#signin-form input[name=password]", PASSWORD)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#spa[data-state=signed-in]")
    assert page.inner_text("[data-test=me-name]") == "alice"
    assert page.locator("[data-test=session-row]").count() == 1
    assert UserSession.objects.filter(user__username="alice").count() == 1

    cookie = next(
        c for c in context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    assert cookie["httpOnly"] is True
    assert cookie["value"] not in page.evaluate("document.cookie")

    page.click("[data-test=logout]")
    page.wait_for_selector("#spa[data-state=signed-out]")
    assert not UserSession.objects.exists()


def test_client_on_an_origin_not_on_the_list_is_refused(
    new_context, base_url, static_origin, settings
):
    UserFactory(username="alice")
    allowed, other = static_origin(), static_origin()
    settings.CORS_ALLOWED_ORIGINS = [allowed]
    settings.CSRF_TRUSTED_ORIGINS = [allowed]

    page = new_context().new_page()
    page.goto(f"{other}/")
    # Its very first call (priming the CSRF cookie) cannot be read.
    page.wait_for_selector("[data-test=error]:not([hidden])")
    assert page.get_attribute("#spa", "data-state") == "loading"
    outcome = page.evaluate(
        """async ([api, password]) => {
            const results = {};
            try {
                await fetch(api + "/api/me/", {credentials: "include"});
                results.get = "read";
            } catch (err) { results.get = err.name; }
            try {
                await fetch(api + "/api/auth/login/", {
                    method: "POST",
                    credentials: "include",
                    headers: {"Content-Type": "application/json"},
                    body: JSON.stringify({login: "alice", password}),
                });
                results.post = "sent";
            } catch (err) { results.post = err.name; }
            return results;
        }""",
        [base_url, PASSWORD],
    )
    # The GET is sent (a "simple request") but its answer cannot be read; the
    # JSON POST needs a preflight, which fails, so it is never sent at all.
    assert outcome == {"get": "TypeError", "post": "TypeError"}
    assert not UserSession.objects.exists()
    assert not Event.objects.filter(
        event_type__in=[EventType.LOGIN_SUCCEEDED, EventType.LOGIN_FAILED]
    ).exists()
