"""Drive the local hub (deploy/jupyterhub_config.py) from Python: start it, log students in,
spawn their servers, run notebooks cell by cell over a kernel's websocket, move a widget, and
stop everything that was started. Used by tests/test_hub.py and benchmarks/bench_hub_load.py.

Loopback only. Every process the hub starts (proxy, students' servers, kernels) is found through
psutil as a descendant of the hub process and killed, process group by process group, in
:meth:`Hub.stop` — also when a test fails or a benchmark is interrupted.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import requests
import websocket

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CONFIG = HERE / "jupyterhub_config.py"
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
LOOPBACK = "127.0.0.1"


def proxy_command() -> str | None:
    """The configurable-http-proxy executable (deploy/node_modules or PATH), or None."""
    if PROXY.exists():
        return str(PROXY)
    return shutil.which("configurable-http-proxy")


def free_ports(n: int) -> list[int]:
    """``n`` distinct free TCP ports on loopback (bound, read, released)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((LOOPBACK, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1, alive=None):
    """Poll ``predicate()`` until it returns something truthy; TimeoutError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if alive is not None:
            alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not reached within {timeout:.0f} s")
        time.sleep(interval)


class Hub:
    """A running local JupyterHub on free loopback ports, as a context manager."""

    def __init__(self, state: Path, threads: int = 1, log_name: str = "jupyterhub.log"):
        if proxy_command() is None:
            raise FileNotFoundError("configurable-http-proxy is missing: run `make hub-deps` "
                                    "(npm install into deploy/)")
        self.state = Path(state)
        self.state.mkdir(parents=True, exist_ok=True)
        self.port, api_port, proxy_api_port = free_ports(3)
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.token = secrets.token_hex(32)
        self.log_path = self.state / log_name
        self.env = {**os.environ, "VAE_HUB_IP": LOOPBACK, "VAE_HUB_PORT": str(self.port),
                    "VAE_HUB_API_PORT": str(api_port),
                    "VAE_HUB_PROXY_API_PORT": str(proxy_api_port),
                    "VAE_HUB_STATE": str(self.state), "VAE_HUB_SERVICE_TOKEN": self.token,
                    "VAE_HUB_THREADS": str(threads)}
        self.env.pop("VAE_HUB_PASSWORD", None)
        self.proc: subprocess.Popen | None = None
        self._seen: dict[int, psutil.Process] = {}

    # -- life cycle ------------------------------------------------------------------------
    def start(self, timeout: float = 60) -> "Hub":
        exe = Path(sys.executable).with_name("jupyterhub")
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([str(exe), "-f", str(CONFIG)], cwd=self.state, env=self.env,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        wait_for(self._api_up, timeout, f"hub API at {self.url}/hub/api", alive=self._alive)
        return self

    def _alive(self):
        if self.proc.poll() is not None:
            raise RuntimeError(f"the hub exited with {self.proc.returncode}; log: "
                               f"{self.log_path}\n{self.log_tail()}")

    def _api_up(self) -> bool:
        try:
            return requests.get(f"{self.url}/hub/api/", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def processes(self) -> list[psutil.Process]:
        """The hub and every process below it (proxy, servers, kernels), remembered for stop."""
        if self.proc is None:
            return []
        try:
            root = psutil.Process(self.proc.pid)
            procs = [root] + root.children(recursive=True)
        except psutil.NoSuchProcess:
            procs = []
        for p in procs:
            self._seen.setdefault(p.pid, p)
        return procs

    def stop(self, timeout: float = 20) -> list[int]:
        """Stop the hub (it stops the servers), then kill whatever is left; return leftovers."""
        if self.proc is None:
            return []
        self.processes()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        left = [p for p in self._seen.values() if _running(p)]
        for p in left:                      # each student's server runs in its own session
            try:
                os.killpg(os.getpgid(p.pid), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                p.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(left, timeout=10)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._log.close()
        leftovers = [p.pid for p in left]
        self.proc = None
        return leftovers

    def __enter__(self) -> "Hub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- REST ------------------------------------------------------------------------------
    @property
    def headers(self) -> dict:
        return {"Authorization": f"token {self.token}"}

    def api(self, method: str, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", 30)
        return requests.request(method, f"{self.url}/hub/api{path}", headers=self.headers, **kw)

    def login(self, name: str, password: str = "class") -> requests.Session:
        """Log in through the login form, as a browser does; the session holds the cookie."""
        s = requests.Session()
        r = s.get(f"{self.url}/hub/login", timeout=30)
        r.raise_for_status()
        xsrf = s.cookies.get("_xsrf")
        r = s.post(f"{self.url}/hub/login", timeout=30, allow_redirects=False,
                   data={"username": name, "password": password, "_xsrf": xsrf})
        if r.status_code != 302 or "jupyterhub-hub-login" not in s.cookies:
            raise RuntimeError(f"login of {name!r} failed: HTTP {r.status_code}")
        return s

    def spawn(self, name: str, timeout: float = 180) -> float:
        """Start ``name``'s server through the API; wait until it is ready; return seconds."""
        t0 = time.perf_counter()
        r = self.api("POST", f"/users/{name}/server")
        if r.status_code not in (201, 202):
            raise RuntimeError(f"spawn of {name!r}: HTTP {r.status_code} {r.text[:200]}")

        def ready():
            server = self.api("GET", f"/users/{name}").json().get("servers", {}).get("", {})
            if server.get("ready"):
                return True
            if not server.get("pending") and not server.get("ready"):
                raise RuntimeError(f"server of {name!r} stopped while starting; hub log:\n"
                                   f"{self.log_tail()}")
            return False

        wait_for(ready, timeout, f"server of {name!r} ready", interval=0.2)
        return time.perf_counter() - t0

    def server_process(self, name: str) -> psutil.Process:
        """The student's jupyterhub-singleuser process (found by its JUPYTERHUB_USER)."""
        for p in self.processes():
            try:
                if p.environ().get("JUPYTERHUB_USER") == name and any(
                        "jupyterhub-singleuser" in part for part in p.cmdline()):
                    return p
            except psutil.Error:
                continue
        raise LookupError(f"no single-user server process for {name!r}")

    def user_url(self, name: str) -> str:
        return f"{self.url}/user/{name}/"


def _running(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def tree_memory(root: psutil.Process, uss: bool = False) -> dict:
    """RSS (and USS) in MB summed over ``root`` and its descendants, plus their CPU seconds."""
    rss = uss_mb = cpu = 0.0
    try:
        procs = [root] + root.children(recursive=True)
    except psutil.Error:
        procs = []
    for p in procs:
        try:
            if uss:
                info = p.memory_full_info()
                uss_mb += info.uss / 2**20
                rss += info.rss / 2**20
            else:
                rss += p.memory_info().rss / 2**20
            t = p.cpu_times()
            cpu += t.user + t.system
        except psutil.Error:
            continue
    out = {"rss_mb": rss, "cpu_s": cpu, "n_procs": len(procs)}
    if uss:
        out["uss_mb"] = uss_mb
    return out


# -- kernels over the websocket ---------------------------------------------------------------
def _decode_binary(frame: bytes) -> dict:
    """Jupyter server's legacy binary frame: n, n offsets (uint32 BE), JSON, buffers."""
    n = struct.unpack("!I", frame[:4])[0]
    offsets = list(struct.unpack(f"!{n}I", frame[4:4 + 4 * n])) + [len(frame)]
    msg = json.loads(frame[offsets[0]:offsets[1]].decode())
    msg["buffers"] = [frame[offsets[i]:offsets[i + 1]] for i in range(1, n)]
    return msg


class Kernel:
    """A notebook session on a student's server (as JupyterLab opens one), driven over its
    kernel's websocket through the hub's proxy with the driver service's token."""

    def __init__(self, hub: Hub, user: str, notebook_path: str, timeout: float = 120):
        self.hub, self.user = hub, user
        self.base = hub.user_url(user)
        r = requests.post(f"{self.base}api/sessions", headers=hub.headers, timeout=timeout,
                          json={"path": notebook_path, "type": "notebook", "name": "",
                                "kernel": {"name": "python3"}})
        if r.status_code != 201:
            raise RuntimeError(f"session for {user!r}: HTTP {r.status_code} {r.text[:200]}")
        self.session_id = r.json()["id"]
        self.kernel_id = r.json()["kernel"]["id"]
        ws_url = self.base.replace("http://", "ws://") + f"api/kernels/{self.kernel_id}/channels"
        self.ws = websocket.create_connection(ws_url, timeout=timeout,
                                              header=[f"Authorization: token {hub.token}"])
        self.session = uuid.uuid4().hex
        self.comms: dict[str, dict] = {}         # comm_id → widget state, from comm_open

    def _send(self, channel: str, msg_type: str, content: dict) -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "username": self.user,
                       "session": self.session, "version": "5.3",
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel,
            "buffers": []}))
        return msg_id

    def _recv(self) -> dict:
        opcode, frame = self.ws.recv_data()
        if opcode == websocket.ABNF.OPCODE_BINARY:
            return _decode_binary(frame)
        return json.loads(frame)

    def _collect(self, msg_id: str, timeout: float, want_reply: bool) -> list[dict]:
        """Every message answering ``msg_id`` until the kernel is idle (and the reply came)."""
        deadline = time.monotonic() + timeout
        replies, idle, got = [], False, not want_reply
        while not (idle and got):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"kernel of {self.user!r} did not finish within {timeout} s")
            self.ws.settimeout(left)
            msg = self._recv()
            mtype = msg.get("msg_type") or msg["header"]["msg_type"]
            if mtype == "comm_open":
                data = msg["content"].get("data", {})
                self.comms[msg["content"]["comm_id"]] = data.get("state", {})
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            replies.append(msg)
            if mtype == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
            if mtype == "execute_reply":
                got = True
        return replies

    def execute(self, code: str, timeout: float = 300) -> list[str]:
        """Run one cell; return its errors (tracebacks, a failed reply) — empty if it worked."""
        msg_id = self._send("shell", "execute_request", {
            "code": code, "silent": False, "store_history": True, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True})
        errors = []
        for msg in self._collect(msg_id, timeout, want_reply=True):
            mtype = msg["header"]["msg_type"]
            if mtype == "error":
                errors.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
            elif mtype == "execute_reply" and msg["content"]["status"] != "ok":
                errors.append(f"execute_reply status {msg['content']['status']}")
        return errors

    def output_text(self, code: str, timeout: float = 60) -> str:
        """Run ``code`` and return what it printed to stdout."""
        msg_id = self._send("shell", "execute_request", {
            "code": code, "silent": False, "store_history": False, "user_expressions": {},
            "allow_stdin": False, "stop_on_error": True})
        out = []
        for msg in self._collect(msg_id, timeout, want_reply=True):
            if msg["header"]["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
                out.append(msg["content"]["text"])
            if msg["header"]["msg_type"] == "error":
                raise RuntimeError(f"{msg['content']['ename']}: {msg['content']['evalue']}")
        return "".join(out)

    def run_notebook(self, path: Path, timeout: float = 300, cells=None) -> list[str]:
        """Run the notebook's code cells (or the given cell indices) in order; return errors."""
        nb = json.loads(Path(path).read_text())
        errors = []
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code" or (cells is not None and i not in cells):
                continue
            source = "".join(cell["source"])
            errors += [f"{Path(path).name} cell {i}: {e}" for e in self.execute(source, timeout)]
            if errors:
                break
        return errors

    def move_slider(self, value: float, model: str = "FloatSliderModel",
                    timeout: float = 60) -> dict:
        """Send the comm message a browser sends when a slider moves; return what came back:
        the models the kernel updated in answer (and whether one was an image) and any error."""
        sliders = [cid for cid, st in self.comms.items() if st.get("_model_name") == model]
        if not sliders:
            raise LookupError(f"no {model} among the kernel's {len(self.comms)} widgets; run the "
                              f"cell that creates the widget first")
        msg_id = self._send("shell", "comm_msg", {
            "comm_id": sliders[0],
            "data": {"method": "update", "state": {"value": value}, "buffer_paths": []}})
        updated, errors = [], []
        for msg in self._collect(msg_id, timeout, want_reply=False):
            mtype = msg["header"]["msg_type"]
            if mtype == "comm_msg" and msg["content"]["data"].get("method") == "update":
                cid = msg["content"]["comm_id"]
                updated.append(self.comms.get(cid, {}).get("_model_name", "?"))
            if mtype == "error":
                errors.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
        return {"updated": updated, "errors": errors, "image": "ImageModel" in updated}

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            requests.delete(f"{self.base}api/sessions/{self.session_id}",
                            headers=self.hub.headers, timeout=30)
