"""Every install route lists the same stack: pip (pyproject.toml + constraints.txt), conda
(environment.yml, conda-forge only, CPU torch) and Binder (binder/requirements.txt + postBuild)."""
import re
import tomllib
from pathlib import Path

import yaml


ROOT = Path(__file__).resolve().parents[1]
CONDA_ONLY = {"python", "pip"}                  # conda plumbing, no pip counterpart
CONDA_TO_PIP = {"pytorch": "torch"}
# what a Binder user needs to run the collection (lab, slides, Voila); the test tools stay out
BINDER_EXTRAS = {"voila", "jupyterlab-rise"}


def _name(spec: str) -> str:
    name = re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0]
    return name.lower().replace("_", "-")


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pip_specs() -> dict[str, str]:
    project = _project()
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {_name(s): s for s in specs}


def _pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    pins = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    return {_name(p): p.split("==")[1] for p in pins}


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def _conda_specs() -> dict[str, str]:
    specs = {}
    for dep in _environment()["dependencies"]:
        for spec in dep["pip"] if isinstance(dep, dict) else [dep]:
            if spec.startswith("-") or spec.strip() == ".":
                continue
            name = _name(spec)
            if name not in CONDA_ONLY:
                specs[CONDA_TO_PIP.get(name, name)] = spec
    return specs


def _binder_specs() -> dict[str, str]:
    lines = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    specs = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith(("#", "-"))]
    return {_name(s): s for s in specs}


def test_conda_lists_the_same_packages_as_pip():
    pip, conda = set(_pip_specs()), set(_conda_specs())
    assert pip == conda, (f"only in pyproject.toml: {sorted(pip - conda)}; "
                          f"only in environment.yml: {sorted(conda - pip)}")


def test_conda_uses_conda_forge_only_and_its_cpu_torch():
    env = _environment()
    assert env["channels"] == ["conda-forge", "nodefaults"], env["channels"]
    torch = _conda_specs()["torch"]
    assert re.fullmatch(r"pytorch=[\d.]+=cpu_\*", torch), (
        f"environment.yml has {torch!r}: pin conda-forge's CPU build, pytorch=X.Y.Z=cpu_*")
    assert "cpuonly" not in (ROOT / "environment.yml").read_text()   # a pytorch-channel package


def test_pins_agree_everywhere():
    conda, binder = _conda_specs(), _binder_specs()
    for name, version in _pins().items():
        assert name in conda, f"{name} is pinned in constraints.txt but absent from environment.yml"
        assert re.search(rf"={re.escape(version)}(=cpu_\*)?$", conda[name]), (
            f"environment.yml has {conda[name]!r}, constraints.txt pins {name}=={version}")
        assert name in binder, f"{name} is pinned in constraints.txt but absent from binder/"
        assert re.fullmatch(rf"\S+=={re.escape(version)}(\+cpu)?", binder[name]), (
            f"binder/requirements.txt has {binder[name]!r}, constraints.txt pins {version}")


def test_binder_has_the_runtime_stack_and_the_cpu_wheel_index():
    project = _project()
    runtime = {_name(s) for s in project["dependencies"]}
    binder = set(_binder_specs())
    assert binder == runtime | BINDER_EXTRAS, (f"missing in binder/: {sorted(runtime - binder)}; "
                                               f"unexpected: {sorted(binder - runtime - BINDER_EXTRAS)}")
    assert BINDER_EXTRAS <= set(_pip_specs())
    text = (ROOT / "binder" / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text
    assert _binder_specs()["torch"].endswith("+cpu")
    post = ROOT / "binder" / "postBuild"
    assert post.stat().st_mode & 0o111, "binder/postBuild must be executable"
    assert "pip install --no-cache-dir --no-deps ." in post.read_text()


def test_torch_pinned_to_cpu_build():
    assert _pins()["torch"] == "2.13.0"
    spec = next(s for s in _project()["dependencies"] if _name(s) == "torch")
    assert _name(spec) == "torch"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make test" in ci
