"""The public surface: one `__all__`, honest (as httpx's test_exported_members), and
every documented import path still importable after the move into subpackages."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest

import eximunit_bdd
from eximunit_bdd import errors


def test_all_lists_exactly_the_public_names():
    public = {
        name
        for name, value in vars(eximunit_bdd).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    }
    assert sorted(eximunit_bdd.__all__) == sorted(public)
    assert len(eximunit_bdd.__all__) == len(set(eximunit_bdd.__all__)), "a name is listed twice"


def test_every_error_is_public():
    assert set(errors.__all__) <= set(eximunit_bdd.__all__)
    for name in errors.__all__:
        error = getattr(eximunit_bdd, name)
        assert issubclass(error, errors.EximUnitError) and error.__doc__, name


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("eximunit_bdd.environment", ["before_all", "before_scenario", "after_scenario", "after_all"]),
        ("eximunit_bdd.steps", []),
        ("eximunit_bdd.report", ["HtmlFormatter"]),
        (
            "eximunit_bdd.fakes",
            ["FakeSmtpServer", "FakeSpamd", "FakeClamd", "FakeGreylistd", "FakeDovecotAuth", "StreamFake"],
        ),
        ("eximunit_bdd.dnsnetwork", ["DnsNetwork"]),
        ("eximunit_bdd.ports", ["find_free_ports", "bind_free_port"]),
        ("eximunit_bdd.errors", ["EximUnitError"]),
        ("eximunit_bdd.cli", ["main"]),  # the console script eximunit-bdd
    ],
)
def test_documented_import_paths_keep_working(module, names):
    imported = importlib.import_module(module)
    for name in names:
        assert getattr(imported, name) is not None
    assert set(names) <= set(imported.__all__)


def test_every_module_says_what_it_exports():
    package = eximunit_bdd.__path__[0]

    for info in pkgutil.walk_packages([package], "eximunit_bdd."):
        if info.name.endswith("netns_helper") or info.name.startswith("eximunit_bdd.steps."):
            continue  # the helper runs apart (python -I); step modules register, exporting nothing
        module = importlib.import_module(info.name)
        assert module.__doc__, f"{info.name} has no docstring"
        if not info.ispkg:
            assert hasattr(module, "__all__"), f"{info.name} has no __all__"
