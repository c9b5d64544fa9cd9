import os

import pytest
from django.conf import settings
from django.core.cache import caches

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery-9"


def pytest_configure(config):
    """Under CI the real back ends are mandatory: fail loudly, never skip."""
    if os.environ.get("CI") == "true":
        missing = [
            name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)
        ]
        if missing:
            raise pytest.UsageError(f"CI=true but {', '.join(missing)} not set.")


@pytest.fixture(autouse=True)
def _clean_caches():
    # The suite's Redis database is its own (see .ci/run), so clearing is safe.
    for alias in settings.CACHES:
        caches[alias].clear()
    yield


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.com")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", email="bob@example.com")


@pytest.fixture
def staff_admin(db):
    return UserFactory(username="boss", is_staff=True, is_superuser=True)


@pytest.fixture
def auditor(db):
    from tests.helpers import auditors_group

    user = UserFactory(username="auditor", is_staff=True)
    user.groups.add(auditors_group())
    return user


@pytest.fixture
def login():
    """Sign a client in through the real allauth form (never force_login)."""
    from tests.helpers import sign_in

    return sign_in
