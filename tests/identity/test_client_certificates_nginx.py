"""X-C1 with the real nginx in front (Debian's binary): the repository's configuration
(deploy/nginx/kouiki.conf.template) rendered into a temporary directory, nginx listening on
127.0.0.1 on a free port in front of the app served by `live_server`, certificates made in the test.

- no certificate → refused (the app: 403 client_certificate_required)
- another organization's certificate → refused (the app: client_certificate_not_registered)
- a revoked one (in the CRL the app published) → refused by nginx itself
- the right one → through
- a forged certificate header: stripped by nginx; sent to the app directly from an address that is
  not the proxy's → ignored

Skipped only when nginx is missing outside CI; with CI set, a missing nginx fails the test (.ci/run
installs it)."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID
from django.conf import settings as django_settings

from kouiki.identity.models import ClientCertificate
from kouiki.identity.services import certificates
from tests.api.conftest import API, make_retailer
from tests.factories import StaffFactory
from tests.identity.certs import Issued, built_in, make_ca, make_client, proxy_headers

TEMPLATE = Path(django_settings.BASE_DIR) / "deploy" / "nginx" / "kouiki.conf.template"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
# The app trusts the proxy's address; a request from another loopback address is "elsewhere".
PROXY_ADDRESS = "127.0.0.1"
ELSEWHERE = "127.0.0.2"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def nginx_binary() -> str:
    if NGINX is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: apt-get install -y nginx-light (.ci/run installs it)")
        pytest.skip("nginx is not installed (apt-get install -y nginx-light)")
    return NGINX


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((PROXY_ADDRESS, 0))
        return int(sock.getsockname()[1])


def render(template: str, values: dict[str, str]) -> str:
    """envsubst with the listed names only, as docs/operations.md renders it."""
    rendered = re.sub(r"\$\{(KOUIKI_[A-Z_]+)\}", lambda m: values[m.group(1)], template)
    assert "${KOUIKI_" not in rendered
    return rendered


@dataclass
class Proxy:
    port: int
    server_ca: Path
    directory: Path

    def context(self, client: tuple[Path, Path] | None = None) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.server_ca))
        if client is not None:
            context.load_cert_chain(str(client[0]), str(client[1]))
        return context

    def get(
        self, path: str, headers: dict[str, str], client: tuple[Path, Path] | None = None
    ) -> tuple[int, str]:
        connection = http.client.HTTPSConnection(
            PROXY_ADDRESS, self.port, context=self.context(client), timeout=10
        )
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()


def start_nginx(binary: str, directory: Path, upstream: str) -> tuple[subprocess.Popen[bytes], Proxy]:
    """nginx in the foreground, one process, everything under `directory`, on a free port."""
    server_ca = make_ca("Test Server CA")
    server = make_client(
        server_ca, "127.0.0.1", usage=[ExtendedKeyUsageOID.SERVER_AUTH], ip_address="127.0.0.1"
    )
    tls_cert, tls_key = server.write(directory, "server")
    (directory / "server-ca.pem").write_bytes(server_ca.pem)
    port = free_port()
    ca_dir = Path(django_settings.KOUIKI_CLIENT_CA_DIR)
    site = render(
        TEMPLATE.read_text(encoding="utf-8"),
        {
            "KOUIKI_LISTEN": f"{PROXY_ADDRESS}:{port}",
            "KOUIKI_SERVER_NAME": "127.0.0.1",
            "KOUIKI_TLS_CERT": str(tls_cert),
            "KOUIKI_TLS_KEY": str(tls_key),
            "KOUIKI_CLIENT_CA": str(ca_dir / "ca.pem"),
            "KOUIKI_CLIENT_CRL": str(django_settings.KOUIKI_CLIENT_CRL_PATH),
            "KOUIKI_UPSTREAM": upstream,
        },
    )
    (directory / "kouiki.conf").write_text(site, encoding="utf-8")
    temp = {name: directory / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    (directory / "nginx.conf").write_text(
        f"""
daemon off;
master_process off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {directory}/access.log;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {directory}/kouiki.conf;
}}
""",
        encoding="utf-8",
    )
    command = [
        binary,
        "-p",
        str(directory),
        "-c",
        str(directory / "nginx.conf"),
        "-e",
        str(directory / "error.log"),
    ]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"nginx stopped: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            socket.create_connection((PROXY_ADDRESS, port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        raise AssertionError("nginx did not listen within 10 s")
    return process, Proxy(port=port, server_ca=directory / "server-ca.pem", directory=directory)


@dataclass
class World:
    proxy: Proxy
    upstream_port: int
    token: str
    right: tuple[Path, Path]
    right_issued: Issued
    theirs: tuple[Path, Path]
    revoked: tuple[Path, Path]


@pytest.fixture
def world(nginx_binary: str, live_server: Any, settings: Any, tmp_path: Path) -> Iterator[World]:
    settings.KOUIKI_CLIENT_CA_CERT = ""
    settings.KOUIKI_CLIENT_CA_DIR = tmp_path / "ca"
    settings.KOUIKI_CLIENT_CRL_PATH = tmp_path / "ca" / "crl.pem"
    settings.KOUIKI_CLIENT_CERTIFICATES = "required"
    settings.KOUIKI_TRUSTED_PROXIES = [PROXY_ADDRESS]
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    ca = built_in()
    staff = StaffFactory()
    ours = make_retailer("9311", "新電力証明A")
    other = make_retailer("9312", "新電力証明B")
    issued = {name: make_client(ca, name) for name in ("right", "theirs", "revoked")}
    for name, retailer in (("right", ours), ("theirs", other), ("revoked", ours)):
        registered = certificates.register_certificate(actor=retailer.admin, name=name, pem=issued[name].pem)
        certificates.approve_certificate(actor=staff, certificate=registered)
    lost = ClientCertificate.objects.get(fingerprint=issued["revoked"].fingerprint)
    # The report revokes and publishes the CRL (on commit: the test's transactions are real).
    certificates.report_loss(actor=ours.admin, certificate=lost, reason="ノートPCを紛失")
    assert Path(settings.KOUIKI_CLIENT_CRL_PATH).exists()
    files = tmp_path / "nginx"
    files.mkdir()
    upstream_port = int(urlparse(live_server.url).port or 0)
    process, proxy = start_nginx(nginx_binary, files, f"127.0.0.1:{upstream_port}")
    try:
        yield World(
            proxy=proxy,
            upstream_port=upstream_port,
            token=ours.token,
            right=issued["right"].write(tmp_path, "right"),
            right_issued=issued["right"],
            theirs=issued["theirs"].write(tmp_path, "theirs"),
            revoked=issued["revoked"].write(tmp_path, "revoked"),
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def bearer(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.token}"}


def code_of(body: str) -> str:
    return str(json.loads(body)["code"])


def test_the_right_certificate_goes_through(world: World) -> None:
    status, body = world.proxy.get(f"{API}/events", bearer(world), client=world.right)
    assert status == 200, body


def test_no_certificate_is_refused(world: World) -> None:
    status, body = world.proxy.get(f"{API}/events", bearer(world))
    assert (status, code_of(body)) == (403, "client_certificate_required")


def test_another_organizations_certificate_is_refused(world: World) -> None:
    status, body = world.proxy.get(f"{API}/events", bearer(world), client=world.theirs)
    assert (status, code_of(body)) == (403, "client_certificate_not_registered")


def test_a_revoked_certificate_is_refused_by_nginx_from_the_crl(world: World) -> None:
    status, body = world.proxy.get(f"{API}/events", bearer(world), client=world.revoked)
    assert status == 403
    assert "クライアント証明書を検証できませんでした" in body
    assert "certificate revoked" in (world.proxy.directory / "error.log").read_text(encoding="utf-8")


def test_a_forged_certificate_header_is_stripped_by_nginx(world: World) -> None:
    forged = {**bearer(world), **proxy_headers(world.right_issued)}
    status, body = world.proxy.get(f"{API}/events", forged)
    assert (status, code_of(body)) == (403, "client_certificate_required")


def test_the_header_sent_to_the_app_directly_from_elsewhere_is_ignored(world: World) -> None:
    forged = {**bearer(world), **proxy_headers(world.right_issued)}

    def direct(source: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection(
            "127.0.0.1", world.upstream_port, timeout=10, source_address=(source, 0)
        )
        try:
            connection.request("GET", f"{API}/events", headers=forged)
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    status, body = direct(ELSEWHERE)
    assert (status, code_of(body)) == (403, "client_certificate_required")
    # The same headers from the proxy's address are trusted: the address is what decides.
    assert direct(PROXY_ADDRESS)[0] == 200
