"""The local JupyterHub (deploy/jupyterhub_config.py, `make hub`) with two students, end to end;
and the Kubernetes route on paper (deploy/values.yaml, deploy/Dockerfile).

Marker ``hub``: starts the hub on free loopback ports, logs two students in through the login form, spawns their
servers, runs notebook 07 cell by cell over each server's kernel websocket (through the hub's
proxy) and stops everything it started, also when an assertion fails. Skipped with the reason
where configurable-http-proxy (npm) is missing: `make hub-deps` installs it into deploy/.
"""
import copy
import re
import runpy
import shlex
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml


ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
import hubkit  # noqa: E402
import z2jh_keys  # noqa: E402


DEPLOY = ROOT / "deploy"
NOTEBOOK = "notebooks/07_gaussian_lemma.ipynb"
STUDENTS = ("ada", "ben")


def _needs_proxy():
    if hubkit.proxy_command() is None:
        pytest.skip("configurable-http-proxy not found in deploy/node_modules or on PATH: "
                    "`make hub-deps` installs it with npm (npm itself is missing here?)")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    _needs_proxy()
    h = hubkit.Hub(tmp_path_factory.mktemp("hub"))
    try:
        h.start()
        yield h
    finally:
        h.processes()
        seen = list(h._seen.values())
        leftovers = h.stop()
        assert not [p.pid for p in seen if hubkit._running(p)], "processes outlived stop()"
        print(f"hub stopped; killed after SIGTERM: {leftovers}")


def _student(hub, name):
    """Log in, spawn, run the notebook; what the student saw."""
    session = hub.login(name)
    spawn_s = hub.spawn(name)
    start_page = session.get(hub.user_url(name), allow_redirects=False, timeout=30)
    kernel = hubkit.Kernel(hub, name, NOTEBOOK)
    try:
        errors = kernel.run_notebook(ROOT / NOTEBOOK)
        probe = kernel.output_text("import os, sys\n"
                                   "print(os.getpid(), os.environ.get('VAE_TEACH_THREADS'), "
                                   "'torch' in sys.modules, os.getcwd())")
        failing = kernel.execute("1 / 0")
    finally:
        kernel.close()
    return {"spawn_s": spawn_s, "start_page": start_page, "errors": errors,
            "probe": probe.split(), "failing": failing}


@pytest.fixture(scope="module")
def students(hub):
    with ThreadPoolExecutor(len(STUDENTS)) as pool:
        return dict(zip(STUDENTS, pool.map(lambda n: _student(hub, n), STUDENTS)))


@pytest.mark.hub
def test_each_student_runs_the_notebook_without_error_output(students):
    for name, seen in students.items():
        assert seen["errors"] == [], f"{name}: {seen['errors']}"
        assert seen["spawn_s"] < 120


@pytest.mark.hub
def test_errors_in_a_cell_are_caught_by_the_driver(students):
    for seen in students.values():
        assert seen["failing"] and seen["failing"][0].startswith("ZeroDivisionError")


@pytest.mark.hub
def test_start_page_is_the_collection_index(students, hub):
    for name, seen in students.items():
        assert seen["start_page"].status_code == 302
        location = seen["start_page"].headers["location"]
        assert location.split("?")[0] == f"/user/{name}/lab/tree/notebooks/00_index.ipynb"
        copy = hub.state / "home" / name / "notebooks"
        assert sorted(p.name for p in copy.glob("*.ipynb")) == sorted(
            p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.hub
def test_students_have_separate_kernels_with_one_thread(students):
    pids = {seen["probe"][0] for seen in students.values()}
    assert len(pids) == len(STUDENTS)
    for name, seen in students.items():
        _, threads, _, cwd = seen["probe"]
        assert threads == "1"
        assert cwd.endswith(f"home/{name}/notebooks")      # the student's own copy


@pytest.mark.hub
def test_a_second_login_with_another_name_does_not_see_the_first(hub, students):
    r = hub.login("ada").get(f"{hub.url}/user/ben/api/contents", timeout=30,
                             allow_redirects=False)
    assert r.status_code in (302, 403)                   # ada is sent away from ben's server


@pytest.mark.parametrize("env, message", [
    ({"VAE_HUB_IP": "0.0.0.0"}, "loopback only"),
    ({"VAE_HUB_IP": "example.org"}, "loopback only"),
    ({"VAE_HUB_PORT": "eighty"}, "VAE_HUB_PORT='eighty' is not a TCP port"),
])
def test_config_refuses_unsafe_settings(env, message, monkeypatch, tmp_path):
    from traitlets.config import Config
    monkeypatch.setenv("VAE_HUB_STATE", str(tmp_path))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValueError, match=message):
        runpy.run_path(str(hubkit.CONFIG), init_globals={"get_config": Config})


# -- the Kubernetes route, on paper ----------------------------------------------------------
def _values() -> dict:
    return yaml.safe_load((DEPLOY / "values.yaml").read_text())


def _key_tree() -> dict:
    return yaml.safe_load((DEPLOY / "z2jh_keys.yaml").read_text())


def test_values_use_only_keys_of_the_z2jh_schema():
    assert z2jh_keys.check(_values(), _key_tree()) == []
    header = (DEPLOY / "z2jh_keys.yaml").read_text().splitlines()[1]
    assert "jupyterhub/values.schema.yaml" in header and re.search(r"commit [0-9a-f]{40}", header)


@pytest.mark.parametrize("path, value, message", [
    (("singleuser", "cpu", "limt"), 1, "singleuser.cpu.limt: not in"),
    (("singleuser", "cpu", "limit"), "one", "singleuser.cpu.limit: str 'one'"),
    (("cull", "enabled"), "yes", "cull.enabled: str"),
    (("cull", "timeout"), True, "cull.timeout: bool"),
    (("singleuser", "storage", "type"), "nfs", "not one of"),
    (("singleuser", "resources"), {}, "singleuser.resources: not in"),
])
def test_the_key_check_catches_mistakes(path, value, message):
    values = copy.deepcopy(_values())
    node = values
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    problems = z2jh_keys.check(values, _key_tree())
    assert any(message in p for p in problems), problems


def _bytes(quantity) -> float:
    m = re.fullmatch(r"([\d.]+)([KMGT]i?)?", str(quantity))
    assert m, f"not a Kubernetes quantity: {quantity!r}"
    unit = m.group(2) or ""
    scale = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
             "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}[unit]
    return float(m.group(1)) * scale


def test_values_size_a_student_and_cap_torch_threads():
    su = _values()["singleuser"]
    assert 0 < su["cpu"]["guarantee"] <= su["cpu"]["limit"]
    assert su["extraEnv"]["VAE_TEACH_THREADS"] == str(int(su["cpu"]["limit"]))
    assert su["extraEnv"]["OMP_NUM_THREADS"] == su["extraEnv"]["VAE_TEACH_THREADS"]
    guarantee, limit = _bytes(su["memory"]["guarantee"]), _bytes(su["memory"]["limit"])
    assert 0.8e9 <= guarantee <= limit     # measured: server + torch kernel ≈ 0.6-0.7 GB RSS
    assert su["image"]["name"] and su["image"]["tag"]


def test_values_cull_idle_servers_and_use_a_real_login():
    values = _values()
    assert values["cull"]["enabled"] is True and 0 < values["cull"]["timeout"] <= 4 * 3600
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] != "dummy"


def _git_pull(url: str) -> dict:
    query = parse_qs(urlsplit(url).query, strict_parsing=True)
    assert set(query) == {"repo", "branch", "urlpath"}, query
    return {k: v[0] for k, v in query.items()}


def test_nbgitpuller_link_and_start_page():
    values = _values()
    link = values["custom"]["nbgitpullerLink"]
    assert urlsplit(link).path == "/hub/user-redirect/git-pull"
    q = _git_pull(link)
    assert q["repo"].startswith("https://") and q["repo"].endswith("/vae-teach")
    assert re.fullmatch(r"lab/tree/vae-teach/notebooks/00_index\.ipynb", q["urlpath"])
    start = values["singleuser"]["defaultUrl"]
    assert urlsplit(start).path == "/git-pull" and _git_pull(start) == q
    assert "/hub/user-redirect/git-pull?repo=" in values["custom"]["nbgitpullerLinkFormat"]


def _dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (DEPLOY / "Dockerfile").read_text()
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1] if " " in ln.strip() else "")
            for ln in joined.splitlines() if ln.strip()]


def _pip_installs(steps) -> list[list[str]]:
    cmds = []
    for instr, args in steps:
        if instr == "RUN":
            lexer = shlex.shlex(args, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            words = []
            for token in list(lexer) + [";"]:          # split the shell line at && and ;
                if token in ("&&", ";", "||"):
                    if "pip" in words and "install" in words:
                        cmds.append(words[words.index("install") + 1:])
                    words = []
                else:
                    words.append(token)
    return cmds


def test_dockerfile_installs_cpu_torch_then_the_package_not_editable():
    steps = _dockerfile()
    assert steps[0][0] == "FROM" and "python:3.11" in steps[0][1]
    installs = _pip_installs(steps)
    pin = next(ln for ln in (ROOT / "constraints.txt").read_text().splitlines()
               if ln.startswith("torch=="))
    torch_i = next(i for i, c in enumerate(installs) if pin in c)
    assert "--index-url" in installs[torch_i]
    assert installs[torch_i][installs[torch_i].index("--index-url") + 1] == \
        "https://download.pytorch.org/whl/cpu"
    pkg_i = next(i for i, c in enumerate(installs) if "." in c)
    assert torch_i < pkg_i, "torch must come from the CPU index before the project is installed"
    assert installs[pkg_i][installs[pkg_i].index("-c") + 1] == "constraints.txt"
    for cmd in installs:
        assert "-e" not in cmd and "--editable" not in cmd, cmd
    user = [args for instr, args in steps if instr == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert steps[-1] == ("CMD", '["jupyterhub-singleuser"]')


def test_what_the_dockerfile_copies_builds_the_wheel(tmp_path):
    """Copy exactly the Dockerfile's COPY sources into a fresh context and build the wheel from
    it the way `pip install .` does (not editable, no network): it must hold the package."""
    context = tmp_path / "context"
    context.mkdir()
    copies = [shlex.split(args) for instr, args in _dockerfile() if instr == "COPY"]
    assert copies
    for *sources, _dest in copies:
        for src in sources:
            path = ROOT / src
            if path.is_dir():
                shutil.copytree(path, context / src, ignore=shutil.ignore_patterns(
                    "__pycache__", "*.pyc", ".ipynb_checkpoints"))
            else:
                shutil.copy2(path, context / src)
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", str(context), "--no-deps",
                          "--no-build-isolation", "--no-index", "-q", "-w", str(tmp_path / "w")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    wheel = next((tmp_path / "w").glob("vae_teach-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"vae_teach/nets/threads.py", "vae_teach/nets/model.py", "vae_teach/nets/weights/MANIFEST.json"} <= names
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert ".venv" in ignore and "deploy/node_modules" in ignore
