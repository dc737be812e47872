"""The public surface: one `__all__`, honest (as httpx's test_exported_members), and
every documented import path still importable after the move into subpackages."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import eximunit_bdd
import eximunit_bdd.fakes
from eximunit_bdd import errors


def test_all_lists_exactly_the_public_names():
    # dir() lists the names imported when first used too (eximunit_bdd.lazy)
    public = {
        name
        for name in dir(eximunit_bdd)
        if not name.startswith("_") and not isinstance(getattr(eximunit_bdd, name), ModuleType)
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


#: What a run of plain -bh scenarios never needs: the fakes' asyncio servers and
#: aiosmtpd, the live mode's certificates (cryptography), unittest's test case.
NOT_LOADED_BY_THE_STEPS = [
    "aiosmtpd",
    "cryptography",
    "unittest",
    "eximunit_bdd.fakes.base",
    "eximunit_bdd.fakes.smtp",
    "eximunit_bdd.live.certificates",
    "eximunit_bdd.testcase",
    "eximunit_bdd.report",
]


def test_importing_the_steps_and_hooks_loads_only_what_every_run_uses():
    code = (
        "import sys, eximunit_bdd.steps, eximunit_bdd.environment\n"
        f"print([name for name in {NOT_LOADED_BY_THE_STEPS!r} if name in sys.modules])\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded == "[]\n"


def test_a_name_imported_when_first_used_is_the_module_s_own():
    code = (
        "import sys, eximunit_bdd, eximunit_bdd.fakes\n"
        "assert 'eximunit_bdd.smtp.session' not in sys.modules\n"
        "from eximunit_bdd import *\n"
        "from eximunit_bdd.smtp.session import EximSession as Real\n"
        "from eximunit_bdd.fakes.smtp import FakeSmtpServer as RealFake\n"
        "assert EximSession is Real and eximunit_bdd.fakes.FakeSmtpServer is RealFake\n"
        "assert 'EximSession' in vars(eximunit_bdd) and 'EximTestCase' in dir(eximunit_bdd)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("package", [eximunit_bdd, eximunit_bdd.fakes])
def test_a_name_a_package_does_not_export_is_an_attribute_error(package):
    with pytest.raises(AttributeError, match=f"module '{package.__name__}' has no attribute 'EximSesion'"):
        package.EximSesion  # noqa: B018 - the lookup is the test
    assert not hasattr(package, "EximSesion")


@pytest.mark.parametrize("package", [eximunit_bdd, eximunit_bdd.fakes])
def test_type_checkers_see_every_name_imported_when_first_used(package):
    """Each of a package's `_EXPORTS` is imported, from the same module, under its
    `if TYPE_CHECKING:` too: what mypy and editors read."""
    tree = ast.parse(Path(package.__file__).read_text())
    [block] = [
        node for node in tree.body if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test)
    ]
    imports = [node for node in block.body if isinstance(node, ast.ImportFrom)]
    assert len(imports) == len(block.body), "only imports under TYPE_CHECKING"
    seen = {(f".{node.module}", alias.name) for node in imports for alias in node.names}
    assert seen == {(module, name) for module, names in package._EXPORTS.items() for name in names}
