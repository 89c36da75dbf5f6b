"""Shared fixtures: bundled test data and the optional ../shared/data folder of the development setup."""

from pathlib import Path

import numpy as np
import pytest

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
MAGNDATA_FIXTURES = DATA / "magndata"
SHARED_DATA = TESTS.parent.parent / "shared" / "data"


def fixture_file(name: str) -> Path:
    """A MAGNDATA file bundled with the tests (prefix match, e.g. ``"0.607_"``)."""
    hits = sorted(MAGNDATA_FIXTURES.glob(f"{name}*.mcif"))
    assert hits, f"no test fixture {name}"
    return hits[0]


@pytest.fixture
def shared_magndata() -> Path:
    folder = SHARED_DATA / "magndata"
    if not folder.is_dir():
        pytest.skip(f"full MAGNDATA set not present ({folder}); it exists only in the development setup")
    return folder


@pytest.fixture
def rng():
    return np.random.default_rng(20261121)
