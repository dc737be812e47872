"""The subpackages are layers (docs/architecture.md): each imports only from the
layers above it, so the package has no import cycles and each layer can be read alone.
Imports under `if TYPE_CHECKING:` are for annotations only (errors.py names the Reply
its assertion errors carry) and do not count."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "eximunit_bdd"
#: Top to bottom, as in docs/architecture.md.
LAYERS = ["errors", "text", "lazy", "trace", "exim", "network", "acl", "smtp", "oneshot", "fakes", "live",
          "replay", "bdd", "steps", "report", "cli"]  # fmt: skip
#: The documented entry points, which re-export from every layer.
ENTRY_POINTS = {"__init__", "environment", "testcase", "dnsnetwork", "ports"}


def _runtime_imports(tree: ast.AST) -> list[ast.ImportFrom | ast.Import]:
    """Every import statement, except those under `if TYPE_CHECKING:`."""
    found: list[ast.ImportFrom | ast.Import] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            continue
        if isinstance(node, (ast.ImportFrom, ast.Import)):
            found.append(node)
        found += _runtime_imports(node)
    return found


def _parts_imported(relative: Path, source: str) -> set[str]:
    """The top-level parts of eximunit_bdd that the module at `relative` (to the
    package) imports at run time."""
    package = list(relative.parts[:-1])  # where `from .` points
    found: set[str] = set()
    for node in _runtime_imports(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            names = [".".join(["eximunit_bdd", *base, *([node.module] if node.module else [alias.name])])
                     for alias in node.names]  # fmt: skip
        else:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        found.update(name.split(".")[1] for name in names if name.startswith("eximunit_bdd."))
    return found


def _imported_layers(layer: str) -> set[str]:
    """The other top-level parts of eximunit_bdd that the modules of `layer` import."""
    paths = list((PACKAGE / layer).rglob("*.py")) or [PACKAGE / f"{layer}.py"]
    found = {part for path in paths for part in _parts_imported(path.relative_to(PACKAGE), path.read_text())}
    return found - {layer}


def test_each_layer_imports_only_from_the_layers_above_it():
    for index, layer in enumerate(LAYERS):
        below = set(LAYERS[index + 1 :])
        assert not _imported_layers(layer) & below, f"{layer} imports from {_imported_layers(layer) & below}"


def test_every_module_and_subpackage_is_a_layer_or_an_entry_point():
    parts = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    parts |= {path.stem for path in PACKAGE.glob("*.py")}
    others = parts - ENTRY_POINTS
    assert others <= set(LAYERS), others - set(LAYERS)


def test_the_check_sees_relative_and_absolute_imports_but_not_annotation_only_ones():
    source = (
        "from ..smtp.reply import Reply\nfrom . import source\nimport eximunit_bdd.bdd.run\n"
        "from eximunit_bdd import cli\nif TYPE_CHECKING:\n    from ..steps import registry\n"
    )
    assert _parts_imported(Path("acl/decision.py"), source) == {"smtp", "acl", "bdd", "cli"}
