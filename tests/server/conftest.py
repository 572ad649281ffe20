"""Tests that need a PostgreSQL server (INSPECTOR_APP_TEST_PG): collected only when one is at hand.

test.sh starts a throwaway server for them, or says clearly that this half was not run.
"""

import pytest

from tests import pg


@pytest.fixture
def server_db():
    """The name and URL of a new, empty server database, dropped afterwards."""
    name = pg.new_name("srv")
    url = pg.create(name)
    yield name, url
    pg.drop(name)
