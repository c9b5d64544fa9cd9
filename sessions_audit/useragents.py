"""Readable browser and OS names from a User-Agent string."""

from functools import lru_cache

from ua_parser import parse


@lru_cache(maxsize=1024)
def describe(user_agent: str) -> str:
    """Return "Browser on OS" (e.g. "Chrome on Linux"), or "Unknown device"."""
    if not user_agent:
        return "Unknown device"
    result = parse(user_agent)
    browser = result.user_agent.family if result.user_agent else "Unknown browser"
    system = result.os.family if result.os else "unknown OS"
    return f"{browser} on {system}"
