"""The examples in the package's docstrings run as written (those that need Exim or a
behave context say `# doctest: +SKIP`)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import eximunit_bdd

MODULES = [
    info.name
    for info in pkgutil.walk_packages(eximunit_bdd.__path__, "eximunit_bdd.")
    if not info.name.endswith("netns_helper")  # runs apart, as a script
]


@pytest.mark.parametrize("name", MODULES)
def test_the_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} failed"
