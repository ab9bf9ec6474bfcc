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

    import vae_teach
    for name in ("gaussian", "ppca", "data", "model", "elbo", "train", "pretrained", "idx"):
        try:
            importlib.import_module(f"vae_teach.{name}")
        except ModuleNotFoundError as exc:       # module not written yet in this checkout
            if exc.name != f"vae_teach.{name}":
                raise
    assert vae_teach.__version__
