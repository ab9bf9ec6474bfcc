"""The local JupyterHub (deploy/jupyterhub_config.py, `make hub`) with two students, end to end.

Starts the hub on free loopback ports, logs two students in through the login form, spawns their
servers, runs notebook 07 cell by cell over each server's kernel websocket (through the hub's
proxy) and stops everything it started, also when an assertion fails. Skipped with the reason
where configurable-http-proxy (npm) is missing: `make hub-deps` installs it into deploy/.
"""
import runpy
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
import hubkit  # noqa: E402

pytestmark = pytest.mark.hub
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


def test_each_student_runs_the_notebook_without_error_output(students):
    for name, seen in students.items():
        assert seen["errors"] == [], f"{name}: {seen['errors']}"
        assert seen["spawn_s"] < 120


def test_errors_in_a_cell_are_caught_by_the_driver(students):
    for seen in students.values():
        assert seen["failing"] and seen["failing"][0].startswith("ZeroDivisionError")


def test_start_page_is_the_collection_index(students, hub):
    for name, seen in students.items():
        assert seen["start_page"].status_code == 302
        location = seen["start_page"].headers["location"]
        assert location.split("?")[0] == f"/user/{name}/lab/tree/notebooks/00_index.ipynb"
        copy = hub.state / "home" / name / "notebooks"
        assert sorted(p.name for p in copy.glob("*.ipynb")) == sorted(
            p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


def test_students_have_separate_kernels_with_one_thread(students):
    pids = {seen["probe"][0] for seen in students.values()}
    assert len(pids) == len(STUDENTS)
    for name, seen in students.items():
        _, threads, _, cwd = seen["probe"]
        assert threads == "1"
        assert cwd.endswith(f"home/{name}/notebooks")      # the student's own copy


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
