"""``make demo``: the latent-space explorer alone, as a Voilà app for the classroom projector.

Voilà runs a notebook and shows only its outputs (code hidden). The app notebook holds just a
title and the explorer over the pretrained 2-D models, so it starts in seconds (notebook 12,
with its figures and exercises, also works: ``voila notebooks/12_latent_space_explorer.ipynb``).

Usage::

    python -m vae_teach.tools.demo                 # http://localhost:8866, opens no browser
    python -m vae_teach.tools.demo --port 9000 --write-only build/demo   # just write the notebook
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path


APP_NAME = "latent_explorer_app.ipynb"


MODELS = ("vae_mnist2", "ae_mnist2", "vae2d", "ae2d", "vae2d_beta0.5", "vae2d_beta4",
          "vae_slide", "vae_learned_var")


TITLE = """# Latent-space explorer
Move **z₁, z₂** (or click the map) to decode a point of the 2-D latent space; pick two test
digits **x_a, x_b** to walk the line between their codes; switch models (AE, VAE, β) above."""


CODE = f"""%matplotlib widget
import torch

from vae_teach.nets import pretrained
from vae_teach.widgets.explorer import LatentExplorer

torch.set_num_threads(1)
LatentExplorer(*pretrained.load_many({list(MODELS)!r}))"""


def app_notebook():
    """The app as a notebook object: a markdown title and one code cell."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    nb.cells = [nbformat.v4.new_markdown_cell(TITLE), nbformat.v4.new_code_cell(CODE)]
    return nb


def write_app(folder) -> Path:
    """Write the app notebook into ``folder`` (created if needed); returns its path."""
    import nbformat

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / APP_NAME
    nbformat.write(app_notebook(), path)
    return path


def voila_command(notebook: Path, port: int, ip: str = "127.0.0.1") -> list[str]:
    """The command that serves ``notebook`` with the Voilà next to this Python."""
    voila = Path(sys.executable).parent / "voila"
    if not voila.exists():
        raise FileNotFoundError(f"{voila} not found; install the dev extras: pip install -c "
                                f"constraints.txt -e '.[dev]'.")
    return [str(voila), "--no-browser", f"--port={port}", f"--Voila.ip={ip}", str(notebook)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--ip", default="127.0.0.1",
                        help="0.0.0.0 to reach it from another machine on the network")
    parser.add_argument("--write-only", metavar="DIR", help="write the app notebook and exit")
    args = parser.parse_args(argv)
    if args.write_only:
        print(write_app(args.write_only))
        return 0
    notebook = write_app(tempfile.mkdtemp(prefix="vae-demo-"))
    cmd = voila_command(notebook, args.port, args.ip)
    print(f"Latent-space explorer: http://{args.ip}:{args.port}/  (Ctrl-C stops it)", flush=True)
    os.execv(cmd[0], cmd)  # Voilà replaces this process: Ctrl-C and kill reach it directly


if __name__ == "__main__":
    sys.exit(main())
