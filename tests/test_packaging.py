"""What `pip install kgan` brings: the built wheel's files, command and declared dependencies."""

import ast
import glob
import importlib.metadata
import pathlib
import re
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    (path,) = glob.glob(str(out / "kgan-*.whl"))
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        entry_points = archive.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    return names, metadata, entry_points


def requirements(metadata, extra=None):
    """Distribution names the wheel requires: the base install, or with `extra` that extra's own."""
    found = set()
    for line in metadata.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        requirement, _, marker = line[len("Requires-Dist:") :].partition(";")
        if (extra is None) == ("extra ==" not in marker) and (extra is None or f'"{extra}"' in marker):
            found.add(normalized(re.split(r"[<>=!~\[ ]", requirement.strip())[0]))
    return found


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_wheel_holds_the_command_the_shipped_data_and_the_extractors(wheel):
    names, _, entry_points = wheel
    assert {"kgan_cli/__init__.py", "kgan_cli/parser.py", "kgan/recipe_table.py"} <= set(names)
    assert re.search(r"kgan\s*=\s*kgan_cli:main", entry_points)
    assert "kgan/data/resources/digits.csv.gz" in names
    for domain in ("mnist", "fashion_mnist", "cifar10"):
        assert f"kgan/metrics/resources/{domain}_classifier.weights.h5" in names
    assert not [n for n in names if n.startswith("tests/")]


def test_a_plain_install_brings_what_the_main_job_uses(wheel):
    _, metadata, _ = wheel
    # TensorFlow 2.21 does not install TensorBoard: tf.summary and the `tensorboard` command need it.
    assert {"tensorflow", "keras", "numpy", "tensorboard"} <= requirements(metadata)


def test_the_test_extra_brings_every_package_the_tests_import(wheel):
    _, metadata, _ = wheel
    declared = requirements(metadata) | requirements(metadata, "test")
    providers = importlib.metadata.packages_distributions()
    imported = set()
    for path in glob.glob(str(ROOT / "tests" / "*.py")):
        for node in ast.walk(ast.parse(pathlib.Path(path).read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = {
        m for m in imported if m in providers and m not in sys.stdlib_module_names and "kgan" not in providers[m]
    }
    missing = {m: providers[m] for m in third_party if not {normalized(d) for d in providers[m]} & declared}
    assert not missing, f"tests import packages the test extra does not install: {missing}"
