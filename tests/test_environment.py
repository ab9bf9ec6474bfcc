"""environment.yml (conda) and pyproject.toml + constraints.txt (pip) must list the same stack."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONDA_ONLY = {"python", "pip", "cpuonly"}       # conda plumbing, no pip counterpart
CONDA_TO_PIP = {"pytorch": "torch"}


def _name(spec: str) -> str:
    name = re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0]
    return name.lower().replace("_", "-")


def _pip_specs() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {_name(s): s for s in specs}


def _pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    pins = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    return {_name(p): p.split("==")[1] for p in pins}


def _conda_specs() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs = {}
    for dep in env["dependencies"]:
        for spec in dep["pip"] if isinstance(dep, dict) else [dep]:
            if spec.startswith("-e"):
                continue
            name = _name(spec)
            if name not in CONDA_ONLY:
                specs[CONDA_TO_PIP.get(name, name)] = spec
    return specs


def test_same_packages():
    pip, conda = set(_pip_specs()), set(_conda_specs())
    assert pip == conda, (f"only in pyproject.toml: {sorted(pip - conda)}; "
                          f"only in environment.yml: {sorted(conda - pip)}")


def test_pins_agree_with_constraints():
    conda = _conda_specs()
    for name, version in _pins().items():
        assert name in conda, f"{name} is pinned in constraints.txt but absent from environment.yml"
        assert re.search(rf"={re.escape(version)}$", conda[name]), (
            f"environment.yml has {conda[name]!r}, constraints.txt pins {name}=={version}")


def test_torch_pinned_to_cpu_build():
    assert _pins()["torch"] == "2.13.0"
    assert "cpuonly" in (ROOT / "environment.yml").read_text()


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make test" in ci
