"""The README's event catalogue is the code's, and every type has a producer."""

import ast
import re
from pathlib import Path

from sessions_audit.models import EventType

ROOT = Path(__file__).resolve().parent.parent
APP_DIRS = ("accounts", "sessions_audit", "project")


def _readme_catalogue() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Event catalogue", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)


def _produced_types() -> dict[str, list[str]]:
    """EventType members passed as ``event_type=`` in a call, outside the tests.

    ``record_event(event_type=EventType.X, ...)`` (or any call with that
    keyword, e.g. a partial of it) counts as a producer of X, wherever in the
    app's code it is; a mention elsewhere (a filter, a chart) does not.
    """
    producers: dict[str, list[str]] = {}
    for directory in APP_DIRS:
        for path in (ROOT / directory).rglob("*.py"):
            if "migrations" in path.parts or path.name == "models.py":
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for call in ast.walk(tree):
                if not isinstance(call, ast.Call):
                    continue
                for keyword in call.keywords:
                    if keyword.arg != "event_type":
                        continue
                    for node in ast.walk(keyword.value):
                        if (
                            isinstance(node, ast.Attribute)
                            and isinstance(node.value, ast.Name)
                            and node.value.id == "EventType"
                        ):
                            value = EventType[node.attr].value
                            where = f"{path.relative_to(ROOT)}:{node.lineno}"
                            producers.setdefault(value, []).append(where)
    return producers


def test_readme_catalogue_lists_exactly_the_event_types():
    listed = _readme_catalogue()
    assert len(listed) == len(set(listed)), "a type is listed twice"
    assert set(listed) == set(EventType.values)


def test_every_event_type_is_produced_by_some_flow():
    produced = _produced_types()
    missing = sorted(set(EventType.values) - set(produced))
    assert missing == [], f"event types no code produces: {missing}"
