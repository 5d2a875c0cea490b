"""Outbound HTTP clients (callbacks, the operators' gateway): one TLS context per process.

Loading the CA bundle into a new `ssl.SSLContext` costs tens of milliseconds; an `httpx.Client`
made with its defaults does it each time, and the worker made one per callback delivery and per
operator message (a third of its CPU on a busy day, bench/peak_day.py). The context is read-only once
made, so every client of the process shares it.
"""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The context that verifies servers' certificates, as httpx's default does (certifi's bundle,
    or SSL_CERT_FILE / SSL_CERT_DIR), made once per process."""
    return httpx.create_ssl_context()


def client(**options: Any) -> httpx.Client:
    """An `httpx.Client` verifying with the process's TLS context; `options` as httpx.Client's."""
    return httpx.Client(verify=tls_context(), **options)
