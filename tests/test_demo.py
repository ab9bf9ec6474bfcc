"""`make demo`: the Voilà app notebook (the browser test serves it with Voilà)."""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from vae_teach.tools import demo


def test_app_notebook_is_a_title_and_the_explorer(tmp_path):
    path = demo.write_app(tmp_path / "app")
    nb = nbformat.read(path, as_version=4)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code"]
    assert nb.cells[0].source.startswith("# Latent-space explorer")
    assert "%matplotlib widget" in nb.cells[1].source
    assert "LatentExplorer(*pretrained.load_many(" in nb.cells[1].source


def test_app_runs_headless_and_shows_the_widget(tmp_path):
    nb = nbformat.read(demo.write_app(tmp_path), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[1].outputs
    assert [o.output_type for o in outputs] == ["execute_result"], outputs
    assert "application/vnd.jupyter.widget-view+json" in outputs[0].data


def test_voila_command(tmp_path):
    cmd = demo.voila_command(tmp_path / "app.ipynb", 9999)
    assert Path(cmd[0]) == Path(sys.executable).parent / "voila"
    assert "--port=9999" in cmd and "--no-browser" in cmd and cmd[-1].endswith("app.ipynb")
