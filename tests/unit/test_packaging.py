"""What the distribution says of itself and ships: its licence, its version (one source
of truth), honest classifiers, an sdist a packager can test from, install recipes
that name no unpublished package, and dependencies without caps that only private
APIs needed."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

import eximunit_bdd
from eximunit_bdd.cli.main import main

from ..conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.9 and 3.10: the test extra installs tomli there
    import tomli as tomllib


def pyproject() -> dict[str, Any]:
    """pyproject.toml, read on every supported Python (the one reader the tests use)."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


# ---- licence and version --------------------------------------------------------------


def test_the_licence_the_metadata_names_is_shipped():
    project = pyproject()["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License\n")
    assert "Copyright (c) the eximunit-bdd authors" in licence
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in licence


def test_the_version_has_one_source():
    declared = pyproject()["project"]["version"]
    assert eximunit_bdd.__version__ == declared == importlib.metadata.version("eximunit-bdd")


def test_the_version_falls_back_to_pyproject_when_not_installed(tmp_path):
    """Run from a checkout that was never installed (PYTHONPATH only), it still knows."""
    copy = tmp_path / "checkout"
    shutil.copytree(
        ROOT / "eximunit_bdd", copy / "eximunit_bdd", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", copy)
    code = (
        "import importlib.metadata, sys\n"
        "def missing(name): raise importlib.metadata.PackageNotFoundError(name)\n"
        "importlib.metadata.version = missing\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "import eximunit_bdd\n"
        "assert eximunit_bdd.__file__.startswith(sys.argv[1]), eximunit_bdd.__file__\n"
        "print(eximunit_bdd.__version__)\n"
    )
    run = subprocess.run(
        [sys.executable, "-I", "-c", code, str(copy)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == pyproject()["project"]["version"]


def test_the_command_tells_its_version(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"eximunit-bdd {eximunit_bdd.__version__}\n"


# ---- classifiers ------------------------------------------------------------------------


def test_the_classifiers_are_true():
    project = pyproject()["project"]
    classifiers = set(project["classifiers"])
    assert not any(c.startswith("Framework :: Pytest") for c in classifiers), "there is no pytest plugin"
    assert "Operating System :: POSIX :: Linux" in classifiers
    assert project["requires-python"] == ">=3.9"
    versions = {
        c.rsplit(" :: ", 1)[1]
        for c in classifiers
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    assert versions == {"3.9", "3.10", "3.11", "3.12", "3.13"}
    assert "Programming Language :: Python :: 3 :: Only" in classifiers
    # An SPDX `license` and a "License ::" classifier together are refused by setuptools>=77.
    assert not any(c.startswith("License ::") for c in classifiers)
    assert any(
        r.replace(" ", "").startswith("setuptools>=77") for r in pyproject()["build-system"]["requires"]
    )


def test_the_installed_metadata_says_so_too():
    metadata = importlib.metadata.metadata("eximunit-bdd")
    classifiers = metadata.get_all("Classifier") or []
    assert "Operating System :: POSIX :: Linux" in classifiers
    assert "Framework :: Pytest" not in classifiers
    assert metadata["License-Expression"] == "MIT", "reinstall: pip install -e ."


# ---- Python 3.9 and 3.10 ----------------------------------------------------------------


def test_no_test_needs_tomllib_unguarded():
    """tomllib is 3.11's: the tests read TOML through `pyproject()` above, whose fallback
    (tomli) the test extra installs on older Pythons."""
    for path in (ROOT / "tests").rglob("*.py"):
        if path == Path(__file__):
            continue
        assert not re.search(r"^\s*(import tomllib|from tomllib )", path.read_text(), re.M), path
    test_extra = pyproject()["project"]["optional-dependencies"]["test"]
    assert any(re.fullmatch(r"tomli\b.*;\s*python_version\s*<\s*['\"]3\.11['\"]", r) for r in test_extra)


# ---- the sdist -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sdist_names(tmp_path_factory) -> set[str]:
    """The files of an sdist built (as `python -m build --sdist` does) from a copy of
    this checkout, so nothing is written into it."""
    base = tmp_path_factory.mktemp("sdist")
    copy = base / "checkout"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "__pycache__",
            "*.egg-info",
            ".pytest_cache",
            ".hypothesis",
            "build",
            "dist",
            "reports",
            ".mypy_cache",
            ".ruff_cache",
        ),
    )
    run = subprocess.run(
        # --no-isolation: the test extra's setuptools builds it, so no index is asked
        [
            sys.executable,
            "-m",
            "build",
            "--sdist",
            "--no-isolation",
            "--outdir",
            str(base / "out"),
            str(copy),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (archive,) = (base / "out").glob("*.tar.gz")
    with tarfile.open(archive) as tar:
        return {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}


@pytest.mark.parametrize(
    "shipped",
    [
        "LICENSE",
        "README.md",
        "tests/conftest.py",
        "tests/unit/test_packaging.py",
        "tests/recorded",
        "tests/specs",
        "examples/coop/exim4.conf",
        "docs/ci.md",
        "docs/architecture.md",
        "features/hubbed.feature",
        "ruff.toml",
        "scripts/install",
        "scripts/test",
        "environment.py",
        "behave.ini",
        "steps",
        "eximunit_bdd/cli/starter_kit/behave.ini",
    ],
)
def test_the_sdist_carries_what_its_tests_and_docs_need(sdist_names, shipped):
    assert shipped in sdist_names or any(name.startswith(shipped + "/") for name in sdist_names), shipped


SHIPPED_DIRECTORIES = ["tests", "examples", "docs", "features", "scripts", "steps", "bench"]
_DEBRIS = {"__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache"}


def _files_of_the_checkout() -> list[str]:
    """The files of those directories: git's list in a clone; in a copy without .git
    (scripts/test's unprivileged pass), those on disk, less caches."""
    if (ROOT / ".git").exists():
        return subprocess.run(
            ["git", "ls-files", *SHIPPED_DIRECTORIES], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    return [
        str(path.relative_to(ROOT))
        for directory in SHIPPED_DIRECTORIES
        for path in (ROOT / directory).rglob("*")
        if path.is_file() and not _DEBRIS.intersection(path.relative_to(ROOT).parts) and path.suffix != ".pyc"
    ]


def test_the_sdist_carries_every_tracked_file_of_those_directories(sdist_names):
    listed = _files_of_the_checkout()
    assert listed, "no file found in those directories"
    missing = [name for name in listed if (ROOT / name).exists() and name not in sdist_names]
    assert not missing, missing


def test_the_sdist_carries_no_local_debris(sdist_names):
    assert not [n for n in sdist_names if "__pycache__" in n or n.endswith(".pyc") or n.startswith(".venv")]


# ---- install recipes ---------------------------------------------------------------------

_PIP_INSTALL = re.compile(r"pip3?\s+install\s+(?P<what>.*)")


def _install_lines(document: str) -> list[str]:
    text = (ROOT / document).read_text()
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    return [match.group("what") for block in blocks for match in _PIP_INSTALL.finditer(block)]


@pytest.mark.parametrize("document", ["README.md", "docs/ci.md"])
def test_no_recipe_installs_the_unpublished_name_from_an_index(document):
    """`pip install eximunit-bdd` would fetch whatever anyone registered under the name:
    every recipe installs from the repository, a pinned git URL or a local path."""
    lines = _install_lines(document)
    assert lines, f"{document} shows no install line"
    for what in lines:
        requirement = what.split("#")[0].strip().strip("'\"")
        assert not re.fullmatch(r"(-[-\w]+\s+)*eximunit[-_]bdd(\[\w+\])?([=<>~!].*)?", requirement), what
        assert "git+https://" in requirement or requirement.startswith(("/", ".", "~", '"$', "$")), what
        if "git+" in requirement:
            assert re.search(r"eximunit-bdd @ git\+https://\S+@COMMIT", requirement), what


def test_the_ci_recipes_say_where_the_package_comes_from():
    text = (ROOT / "docs" / "ci.md").read_text()
    assert "not published" in text and "COMMIT" in text
    assert _install_lines("docs/ci.md") and all("@COMMIT" in line for line in _install_lines("docs/ci.md"))
    readme = (ROOT / "README.md").read_text()
    assert "not published" in readme


# ---- the fake SMTP server and aiosmtpd -------------------------------------------------


def test_aiosmtpd_is_used_through_its_public_api_only():
    source = (ROOT / "eximunit_bdd" / "fakes" / "smtp.py").read_text()
    for private in ("_create_server", "_trigger_server", "_factory_invoker", "Controller"):
        assert private not in source, private
    (aiosmtpd,) = [d for d in pyproject()["project"]["dependencies"] if d.startswith("aiosmtpd")]
    assert "<" not in aiosmtpd, "no cap: nothing private of aiosmtpd's is relied on"
