"""The documentation cannot rot: every Python block of README.md and docs/ runs (at tiny sizes),
cli.md lists every option of every command with its default, and the examples name their extras."""

import argparse
import functools
import pathlib
import re

import pytest

import kgan
import kgan_cli

ROOT = pathlib.Path(__file__).resolve().parents[1]
# In the order a reader meets them: later pages use what earlier ones saved (gan.keras, pix2pix.keras,
# runs/acgan/generator), as a reader's working folder would hold it.
PAGES = [
    "README.md",
    "docs/quickstart.md",
    "docs/recipes.md",
    "docs/stylegan2.md",
    "docs/data.md",
    "docs/conditional.md",
    "docs/translation.md",
    "docs/metrics.md",
    "docs/monitoring.md",
    "docs/dashboard.md",
    "docs/export.md",
    "docs/latent.md",
    "docs/synthetic.md",
    "docs/fine_tuning.md",
    "docs/performance.md",
    "docs/distributed.md",
]
# The blocks as written, made tiny: one epoch, a few hundred images and samples.
TINY = [
    (r"\bepochs=\d+", "epochs=1"),
    (r"\bnum_samples=[\d_]+", "num_samples=200"),
    (r"\bkgan\.data\.load\(", "load_tiny("),
    (r"\bkgan\.data\.load_arrays\(", "load_arrays_tiny("),
    (r"\bring_2d\([\d_]+\)", "ring_2d(1024)"),
]


def python_blocks(page):
    return re.findall(r"```python\n(.*?)```", (ROOT / page).read_text(encoding="utf-8"), re.S)


def tiny(code):
    for pattern, replacement in TINY:
        code = re.sub(pattern, replacement, code)
    return code


def load_arrays_tiny(*args, **kwargs):
    return tuple(array[:256] for array in kgan.data.load_arrays(*args, **kwargs))


def test_every_page_with_code_is_run():
    with_code = {str(p.relative_to(ROOT)) for p in [ROOT / "README.md", *ROOT.glob("docs/*.md")] if python_blocks(p)}
    assert with_code <= set(PAGES)


@pytest.mark.slow
def test_every_python_block_in_the_docs_runs(shared_data, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "shared").symlink_to(shared_data.parent)  # ../shared/data, as beside the repository
    monkeypatch.chdir(work)
    # What the README's main command leaves behind (a tiny run of it): runs/mnist/generator.
    assert (
        kgan_cli.main(["train", "--dataset", "digits", "--limit", "256", "--epochs", "1", "--run-dir", "runs/mnist"])
        == 0
    )
    for page in PAGES:
        namespace = {
            "load_tiny": functools.partial(kgan.data.load, limit=256),
            "load_arrays_tiny": load_arrays_tiny,
        }
        for number, block in enumerate(python_blocks(page), 1):
            exec(compile(tiny(block), f"{page}, Python block {number}", "exec"), namespace)


def options_of(command):
    parser = kgan_cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return [a for a in subparsers.choices[command]._actions if a.option_strings and a.dest != "help"]


@pytest.mark.parametrize("command", ["train", "board", "sample", "interpolate", "translate", "export", "evaluate"])
def test_cli_md_lists_every_option_with_its_default(command):
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = text.split(f"## `kgan {command}`")[1].split("\n## ")[0]
    rows = {line.split("|")[1]: line for line in section.splitlines() if line.startswith("| `--")}
    for action in options_of(command):
        row = next((line for cell, line in rows.items() if f"`{action.option_strings[-1]}`" in cell), None)
        assert row is not None, f"docs/cli.md does not list kgan {command} {action.option_strings[-1]}"
        default = action.default
        if default in (None, False, True) or isinstance(default, list):
            continue
        written = {str(default), format(default, "g")} if isinstance(default, float) else {str(default)}
        assert any(w in row.split("|")[2] for w in written), (command, action.option_strings[-1], default)


def test_examples_name_the_extras_they_need():
    for example in (ROOT / "examples").glob("*.py"):
        source = example.read_text(encoding="utf-8")
        if re.search(r"^import matplotlib", source, re.M):
            assert 'pip install -e ".[examples]"' in source.split('"""')[1], example.name
