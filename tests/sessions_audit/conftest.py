import os

import pytest
from django.db import connection


@pytest.fixture
def on_postgres(db):
    """For tests of PostgreSQL itself (trigger, COPY, concurrent writers).

    Skipped on the embedded SQLite default; under CI=true (always PostgreSQL)
    a missing PostgreSQL fails instead of skipping.
    """
    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true needs DATABASE_URL pointing at PostgreSQL.")
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    return connection
