"""kgan's import graph, read from the code: no cycle, no import of kgan inside a function, and the
arrows point down (what trains never imports what uses a trained generator, nothing imports the CLI)."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def kgan_imports():
    """`{module: [(imported kgan module, inside a function or block?)]}` for every module of kgan."""
    files = {module_name(path): path for path in (ROOT / "kgan").rglob("*.py")}
    found = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found[name] = []
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base]).strip(".")
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base for alias in node.names]
            else:
                continue
            for target in targets:
                if target.split(".")[0] in ("kgan", "kgan_cli"):
                    while target not in files and "." in target:
                        target = target.rpartition(".")[0]
                    found[name].append((target, node.col_offset > 0))
    return found


IMPORTS = kgan_imports()


def test_the_graph_is_read():
    assert ("kgan.trained.opening", False) in IMPORTS["kgan.trained.evaluation"]
    assert ("kgan.models.gan", False) in IMPORTS["kgan.models.dcgan"] and len(IMPORTS) > 60


def test_no_import_of_kgan_inside_a_function():
    nested = sorted({(name, target) for name, found in IMPORTS.items() for target, inside in found if inside})
    assert nested == []


def test_no_cycle():
    graph = {name: {target for target, _ in found if target not in (name, "kgan")} for name, found in IMPORTS.items()}
    state = {}

    def visit(name, path):
        state[name] = "open"
        for target in sorted(graph.get(name, ())):
            if state.get(target) == "open":
                pytest.fail("import cycle: " + " -> ".join(path[path.index(target) :] + [target]))
            if target not in state:
                visit(target, path + [target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


@pytest.mark.parametrize(
    "lower, higher",
    [
        ("kgan.data", "kgan.models"),
        ("kgan.data", "kgan.trained"),
        ("kgan.models", "kgan.trained"),
        ("kgan.models", "kgan.callbacks"),
        ("kgan.metrics", "kgan.trained"),
        ("kgan.export", "kgan.trained"),
        ("kgan.trained", "kgan.callbacks"),
        ("kgan", "kgan_cli"),
    ],
)
def test_the_arrows_point_down(lower, higher):
    upward = [
        (name, target)
        for name, found in IMPORTS.items()
        if (name == lower or name.startswith(lower + ".")) and name != "kgan.__main__"  # `python -m kgan`: the CLI
        for target, _ in found
        if target == higher or target.startswith(higher + ".")
    ]
    assert upward == []
