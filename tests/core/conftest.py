"""Fixtures of the inspection JSON tests (test_inspection_io_*.py)."""

import pytest

from inspector_app.core.storage.db import open_database
from tests.core.inspection_io_helpers import completed_industrial, draft_food, make_roster


@pytest.fixture
def other_db(tmp_path):
    database = open_database(tmp_path / "other.sqlite3")
    make_roster(database)
    yield database
    database.close()


@pytest.fixture(scope="module")
def roster_db(tmp_path_factory):
    """One database for the refusal tests: a refused import writes nothing, so they can share it."""
    database = open_database(tmp_path_factory.mktemp("roster") / "roster.sqlite3")
    make_roster(database)
    yield database
    database.close()


@pytest.fixture
def two(db, sample, templates, fixed_today):
    """A completed industrial inspection and a food draft at the second site."""
    return completed_industrial(db, sample, templates), draft_food(db, sample, templates)
