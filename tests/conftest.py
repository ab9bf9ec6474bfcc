"""Test-suite wide settings.

Offline guarantee: every test runs with outbound network blocked. Any socket connection to an
address other than localhost (or a UNIX socket) fails with ``OSError("network access blocked
in tests")``, so code that would download at import or run time is caught here.
"""
from __future__ import annotations

import ipaddress
import socket

import pytest


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def _is_local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _guard(sock: socket.socket, address) -> None:
    if sock.family == getattr(socket, "AF_UNIX", None):
        return
    host = address[0] if isinstance(address, tuple) else address
    if not _is_local(host):
        raise OSError(f"network access blocked in tests: connection to {address!r}; "
                      f"vae_teach must work offline (use local files).")


def _connect(self, address):
    _guard(self, address)
    return _real_connect(self, address)


def _connect_ex(self, address):
    _guard(self, address)
    return _real_connect_ex(self, address)


def _getaddrinfo(host, *args, **kwargs):
    if host is not None and not _is_local(host):
        raise OSError(f"network access blocked in tests: DNS lookup of {host!r}; "
                      f"vae_teach must work offline.")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Block every non-localhost connection for the duration of each test."""
    monkeypatch.setattr(socket.socket, "connect", _connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", _getaddrinfo)
    yield
