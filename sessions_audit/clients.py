"""Who is on the other end of a request: IP address and user agent."""

import ipaddress

from django.http import HttpRequest

from .app_settings import app_settings


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """Return the client address, believing X-Forwarded-For only from a proxy.

    The chain is read from the right: the first address not belonging to a
    trusted proxy is the client. Anyone else's X-Forwarded-For is ignored.
    """
    if request is None:
        return None
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    trusted = set(app_settings.TRUSTED_PROXIES)
    if remote is None or remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        ip = _valid_ip(hop)
        if ip is None:
            break
        if ip not in trusted:
            return ip
    return remote


def storable(value: str) -> str:
    """Replace NUL, which PostgreSQL text and jsonb cannot hold, with U+FFFD.

    Everything else a client sends is kept as it came (CR, LF, formula
    characters): the audit log records what happened, and the exports
    neutralise it for spreadsheets.
    """
    return value.replace("\x00", "\ufffd")


def user_agent(request: HttpRequest | None) -> str:
    """Return the request's User-Agent, storable and cut to the stored length."""
    if request is None:
        return ""
    agent = request.META.get("HTTP_USER_AGENT", "")
    return storable(agent[: app_settings.USER_AGENT_MAX_LENGTH])
