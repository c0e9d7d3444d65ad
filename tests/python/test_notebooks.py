"""The notebooks of examples/notebooks run, top to bottom, in a fresh kernel (nbclient), so a
notebook that breaks fails the test command. Each is kept paired with a plain .py copy
(jupytext, the percent format) that reviews and diffs read, and is stored without outputs."""
from __future__ import annotations

from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext", reason="jupytext is a test dependency")
nbclient = pytest.importorskip("nbclient", reason="nbclient is a test dependency")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "examples" / "notebooks").glob("*.ipynb"))


def test_there_are_the_three_notebooks():
    assert [p.stem for p in NOTEBOOKS] == ["01_features_vs_talib", "02_backtest",
                                           "03_same_strategy_live"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_paired_with_its_script_and_stored_without_outputs(path):
    notebook = jupytext.read(path)
    script = jupytext.read(path.with_suffix(".py"))
    assert [(c.cell_type, c.source) for c in notebook.cells] == \
        [(c.cell_type, c.source) for c in script.cells], \
        f"{path.name} and its .py differ: run `jupytext --sync {path}`"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None, \
                f"{path.name}: outputs are stored; strip them (jupytext --to ipynb the .py)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom(path, tmp_path):
    import nbformat
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors == []
