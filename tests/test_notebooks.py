"""The example notebooks run from top to bottom against the current code (issue 15), so
they never go stale: each is executed in a fresh kernel, in a scratch directory."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def outputs_of(nb, kind: str) -> list:
    return [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if kind in out.get("data", {})
    ]


def test_the_examples_are_there_and_stored_without_outputs():
    assert [p.name for p in NOTEBOOKS] == ["01-first-run.ipynb", "02-policy-comparison.ipynb"]
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        stale = [c for c in nb.cells if c.cell_type == "code" and c.get("outputs")]
        assert not stale, f"{path.name}: clear the outputs before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    errors = [
        out for cell in nb.cells for out in cell.get("outputs", []) if out.output_type == "error"
    ]
    assert not errors
    # results show themselves as HTML, figures as images
    assert outputs_of(nb, "text/html"), "no rich display of results or tables"
    assert outputs_of(nb, "image/png"), "no figure displayed"
