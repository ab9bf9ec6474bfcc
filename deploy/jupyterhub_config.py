"""A local JupyterHub for a class on one machine: `make hub` (loopback only).

Every student logs in, gets a JupyterLab server of their own (a local process, started from this
project's .venv) with a private copy of notebooks/ in their home folder, and lands on the
collection's start page, notebooks/00_index.ipynb.

FOR THE TEST AND THE DEMO ONLY: `DummyAuthenticator` lets anyone in with any name (and, unless
VAE_HUB_PASSWORD is set, any password), and `SimpleLocalProcessSpawner` runs every student as
the user who started the hub, with no memory or CPU limit. That is why this file refuses any
address other than loopback. For a real class use a real authenticator (the university's
OAuth / LTI / LDAP, e.g. `oauthenticator`, `ltiauthenticator`, `ldapauthenticator`) and a
spawner that isolates students and enforces limits (`dockerspawner`, `systemdspawner`, or
Kubernetes with Zero-to-JupyterHub: deploy/values.yaml). See docs/deployment.md.

Settings (environment variables, all optional):
  VAE_HUB_IP                127.0.0.1 (must be a loopback address)
  VAE_HUB_PORT              8000: the public port; the hub API and the proxy API use the
                            two ports after it unless VAE_HUB_API_PORT / VAE_HUB_PROXY_API_PORT
  VAE_HUB_STATE             deploy/state: database, cookie secret, students' home folders
  VAE_HUB_PASSWORD          the one password the dummy authenticator accepts (default: any)
  VAE_HUB_SERVICE_TOKEN     a token for a service "vae-driver" with the scopes admin:users,
                            servers, access:servers (used by tests/test_hub.py and
                            benchmarks/bench_hub_load.py to drive the hub)
  VAE_HUB_THREADS           threads per student kernel (default 1), passed to the kernels as
                            VAE_TEACH_THREADS and OMP_NUM_THREADS
"""
import ipaddress
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
START_PAGE = "notebooks/00_index.ipynb"
DRIVER_SCOPES = ["admin:users", "servers", "access:servers"]

c = get_config()  # noqa: F821 -- provided by JupyterHub when it loads this file


def _port(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ValueError(f"{name}={value!r} is not a TCP port; set it to a free port in "
                         f"1024..65535, e.g. {name}=8000")
    return port


ip = os.environ.get("VAE_HUB_IP", "127.0.0.1")
try:
    loopback = ipaddress.ip_address(ip).is_loopback
except ValueError:
    loopback = False
if not loopback:
    raise ValueError(f"VAE_HUB_IP={ip!r}: this hub lets anyone in (DummyAuthenticator) and must "
                     f"listen on loopback only; use VAE_HUB_IP=127.0.0.1, or a real authenticator "
                     f"and spawner for a class (docs/deployment.md)")
port = _port("VAE_HUB_PORT", 8000)
hub_api_port = _port("VAE_HUB_API_PORT", port + 1)
proxy_api_port = _port("VAE_HUB_PROXY_API_PORT", port + 2)
state = Path(os.environ.get("VAE_HUB_STATE", HERE / "state")).resolve()
(state / "home").mkdir(parents=True, exist_ok=True)

proxy = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
if not proxy.exists():
    found = shutil.which("configurable-http-proxy")
    if not found:
        raise FileNotFoundError(f"configurable-http-proxy not found at {proxy} or on PATH; run "
                                f"`make hub-deps` (npm install into deploy/)")
    proxy = Path(found)

# --- network: everything on loopback -------------------------------------------------------
c.JupyterHub.ip = ip
c.JupyterHub.port = port
c.JupyterHub.hub_bind_url = f"http://{ip}:{hub_api_port}"
c.ConfigurableHTTPProxy.api_url = f"http://{ip}:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [str(proxy)]
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True          # stopping the hub stops every student's server

# --- who may log in: the test/demo authenticator (see the docstring) -------------------------
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
if os.environ.get("VAE_HUB_PASSWORD"):
    c.DummyAuthenticator.password = os.environ["VAE_HUB_PASSWORD"]

# --- the students' servers: local processes from this project's environment -----------------
c.JupyterHub.spawner_class = "simple"        # SimpleLocalProcessSpawner
c.SimpleLocalProcessSpawner.home_dir_template = str(state / "home" / "{username}")
c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = [str(Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.default_url = f"/lab/tree/{START_PAGE}"
c.Spawner.args = [
    "--MappingKernelManager.cull_idle_timeout=1800",   # idle kernels go after 30 min
    "--MappingKernelManager.cull_interval=120",
    "--ServerApp.shutdown_no_activity_timeout=3600",   # an idle server stops after 1 h
]
if os.geteuid() == 0:                        # spawned Jupyter servers refuse root without it
    c.Spawner.args.append("--allow-root")
threads = os.environ.get("VAE_HUB_THREADS", "1")
c.Spawner.environment = {"VAE_TEACH_THREADS": threads, "OMP_NUM_THREADS": threads}
c.Spawner.start_timeout = 180                # many students spawning at once on few cores
c.Spawner.http_timeout = 180


def copy_collection(spawner):
    """First spawn: put a private copy of notebooks/*.ipynb into the student's home folder."""
    target = Path(spawner.home_dir) / "notebooks"
    if not target.exists():
        target.mkdir(parents=True)
        for nb in sorted((REPO / "notebooks").glob("*.ipynb")):
            shutil.copy2(nb, target / nb.name)


c.Spawner.pre_spawn_hook = copy_collection

# --- a service that drives the hub in tests and benchmarks (only when a token is given) ------
if os.environ.get("VAE_HUB_SERVICE_TOKEN"):
    c.JupyterHub.services = [{"name": "vae-driver",
                              "api_token": os.environ["VAE_HUB_SERVICE_TOKEN"]}]
    c.JupyterHub.load_roles = [{"name": "vae-driver", "scopes": DRIVER_SCOPES,
                                "services": ["vae-driver"]}]
