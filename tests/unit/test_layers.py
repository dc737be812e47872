"""The subpackages are layers (docs/architecture.md): each imports only from the
layers above it, so the package has no import cycles and each layer can be read alone."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "eximunit_bdd"
#: Top to bottom, as in docs/architecture.md.
LAYERS = ["errors", "text", "trace", "exim", "network", "acl", "smtp", "oneshot", "fakes", "bdd", "steps",
          "report", "cli"]  # fmt: skip


def _imported_layers(package: str) -> set[str]:
    """The other top-level parts of eximunit_bdd that `package`'s modules import."""
    found: set[str] = set()
    for path in (PACKAGE / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                depth = len(path.relative_to(PACKAGE).parts) - 1  # levels up to eximunit_bdd
                if node.level == depth + 1:
                    names = [node.module] if node.module else [alias.name for alias in node.names]
                    found.update(name.split(".")[0] for name in names)
    return found - {package}


def test_each_layer_imports_only_from_the_layers_above_it():
    for index, layer in enumerate(LAYERS):
        if not (PACKAGE / layer).is_dir():
            continue
        below = set(LAYERS[index + 1 :])
        assert not _imported_layers(layer) & below, f"{layer} imports from {_imported_layers(layer) & below}"


def test_every_subpackage_is_a_layer():
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert packages <= set(LAYERS), packages - set(LAYERS)
