"""Fixtures shared by the suggest tests."""

import shutil

import pytest

from .test_everywhere import SUGGEST, add_reworded_copy


@pytest.fixture
def data(tmp_path):
    """The north/south fixture and a reworded copy of north, west (the joined rows' and their deltas' tests)."""
    folder = tmp_path / "data"
    shutil.copytree(SUGGEST, folder)
    add_reworded_copy(folder, "north", "west", ("The North", "The West"), ("accommodation", "housing"))
    return folder
