"""``pip install .`` (not editable) gives a working collection.

What a Docker image, a JupyterHub image or a plain ``pip install .`` does: build the wheel,
install it into a fresh virtual environment and use it from outside the repository. The test
builds the wheel without build isolation and installs it with ``--no-index`` (no network); the
fresh environment reuses this environment's already-installed, pinned dependencies through a
``.pth`` line, so only ``vae_teach`` itself comes from the wheel.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "vae_teach"
NOTEBOOK = "01_autoencoder_vs_vae.ipynb"   # uses the shipped weights and the exercises

pytestmark = pytest.mark.slow


def _run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _package_files() -> set[str]:
    """Every file the package needs at run time, as paths inside the wheel."""
    tracked = _run(["git", "ls-files", "vae_teach"], cwd=ROOT).stdout.split()
    keep = {f for f in tracked if not f.endswith((".pyc",)) and "__pycache__" not in f}
    return keep


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    src = build / "src"
    # build from a copy, as pip does for `pip install .`, so no build/ or egg-info lands in the repo
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", "__pycache__", ".pytest_cache", "benchmarks",
        "figures", "notebooks", ".hypothesis"))
    _run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
          "--no-index", "-q", "-w", str(out)])
    wheels = list(out.glob("vae_teach-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_holds_every_subpackage_and_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = sorted(_package_files() - names)
    assert not missing, f"the wheel lacks {missing}: list them in pyproject.toml's package data"


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; dependencies from this environment."""
    env_dir = tmp_path_factory.mktemp("venv") / "v"
    _run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)])
    python = env_dir / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
                     ).stdout.strip())
    # a .pth *line* adds this environment's site-packages without running the .pth files there,
    # so this checkout's editable install of vae_teach stays invisible to the fresh venv
    (site / "_reuse_pinned_stack.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
          "--no-index", "-q", str(wheel)])
    return env_dir


def test_installed_copy_imports_every_module(venv, tmp_path):
    code = """
import importlib, pkgutil, sys, pathlib
import vae_teach
root = pathlib.Path(vae_teach.__file__).parent
assert sys.prefix in str(root), f"imported {root}, not the installed copy"
names = [m.name for m in pkgutil.walk_packages([str(root)], "vae_teach.")]
for name in names:
    importlib.import_module(name)
from vae_teach.nets import pretrained
pretrained.load("vae2d", train_if_missing=False)   # shipped weights, SHA-256 checked
print(len(names), root)
"""
    out = _run([str(venv / "bin" / "python"), "-c", code], cwd=tmp_path).stdout.split()
    n_modules, root = int(out[0]), out[1]
    expected = len([p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py"]) + \
        len([p for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE])
    assert n_modules == expected
    assert str(venv) in root


def test_notebook_runs_against_the_installed_copy(venv, tmp_path):
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, tmp_path / NOTEBOOK)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    _run([str(venv / "bin" / "python"), "-m", "pytest", NOTEBOOK, "--nbval-lax",
          "--nbval-current-env", "-q", "-p", "no:cacheprovider"], cwd=tmp_path, env=env)
