"""The offline guard in conftest.py really blocks the network and leaves localhost open."""
import socket
import urllib.request

import pytest


def test_outbound_connection_is_blocked():
    with pytest.raises(OSError, match="network access blocked"):
        urllib.request.urlopen("http://example.com", timeout=2)


def test_outbound_ip_is_blocked():
    with socket.socket() as s, pytest.raises(OSError, match="network access blocked"):
        s.connect(("93.184.216.34", 80))


def test_localhost_is_allowed():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass


def test_importing_the_package_needs_no_network():
    import importlib
    import pkgutil

    import vae_teach
    names = [m.name for m in pkgutil.walk_packages(vae_teach.__path__, "vae_teach.")
             if not m.name.startswith("vae_teach.tools")]        # command-line entry points
    assert {"vae_teach.maths.gaussian", "vae_teach.maths.ppca", "vae_teach.data.mnist",
            "vae_teach.nets.model", "vae_teach.nets.train", "vae_teach.measure.codes",
            "vae_teach.viz.lecture", "vae_teach.widgets.explorer"} <= set(names)
    for name in names:
        importlib.import_module(name)
    assert vae_teach.__version__
