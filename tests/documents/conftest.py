"""Fixtures of the documents tests: signed inspections of the shared sample enterprise."""

import pytest

from tests.documents import factory


@pytest.fixture
def signed_id(db, sample, templates, fixed_today):
    """A double-random inspection with three 不符合 (one rectified on the spot), signed by all."""
    return factory.signed(db, sample, templates)


@pytest.fixture
def refused_id(db, sample, templates, fixed_today):
    return factory.signed(db, sample, templates, rep_state="refused")
