"""Where a URL typed in the console may be sent to: public addresses, or networks the settings allow.

Real sockets: an HTTP and an HTTPS receiver on 127.0.0.1, the machine's own resolver for
"localhost", and a certificate made here for the name "localhost".
"""

from __future__ import annotations

import base64
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import urllib3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hotline.partners import egress

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
TIMEOUT = (3.0, 5.0)
Seen = tuple[str, str, bytes, str | None]  # path, Host, body, Authorization


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "LOCALHOST.",
        "api.localhost",
        "api.localhost.",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # a cloud's metadata service
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 (refused, not bound)
        "0",
        "127.1",
        "2130706433",
        "0x7f000001",
        "0177.0.0.1",  # 127.0.0.1 as inet_aton reads it
        "::1",
        "::",
        "fe80::1",
        "fd00::5",
        "224.0.0.1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::127.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::1",  # IPv4 inside IPv6
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo to 10.0.0.1
    ],
)
def test_a_host_that_is_not_public_is_refused(host: str) -> None:
    with pytest.raises(egress.AddressNotAllowed):
        egress.check_host(host, ())


@pytest.mark.parametrize("host", ["41.243.0.10", "2c0f:f0c0::1", "64:ff9b::29f3:a", "primero.example.org"])
def test_a_public_address_or_a_name_passes_the_check_when_saved(host: str) -> None:
    egress.check_host(host, ())


def test_an_allowed_private_network_is_allowed_and_only_it() -> None:
    vpn = (ipaddress.ip_network("10.8.0.0/16"),)
    egress.check_host("10.8.3.4", vpn)
    with pytest.raises(egress.AddressNotAllowed):
        egress.check_host("10.9.3.4", vpn)


def test_a_name_is_checked_on_every_address_it_resolves_to() -> None:
    with pytest.raises(egress.AddressNotAllowed):
        egress.resolve("localhost", 80, ())
    assert "127.0.0.1" in egress.resolve("localhost", 80, LOOPBACK)


class Recorder(BaseHTTPRequestHandler):
    seen: list[Seen]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.path, self.headers["Host"], body, self.headers["Authorization"]))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def serve(context: ssl.SSLContext | None = None) -> Iterator[tuple[int, list[Seen]]]:
    seen: list[Seen] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (Recorder,), {"seen": seen}))
    if context:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port, seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def plain() -> Iterator[tuple[int, list[Seen]]]:
    yield from serve()


@pytest.fixture
def tls(tmp_path: Path) -> Iterator[tuple[int, list[Seen], str]]:
    """An HTTPS receiver whose certificate names "localhost" only, and the file that trusts it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    for port, seen in serve(context):
        yield port, seen, str(cert_file)


def test_a_post_goes_to_the_checked_address_with_the_urls_host_path_and_query(plain) -> None:  # type: ignore[no-untyped-def]
    port, seen = plain
    status = egress.post(
        f"http://127.0.0.1:{port}/hotline/events?source=hl",
        b'{"a": 1}',
        {"Content-Type": "application/json"},
        timeout=TIMEOUT,
        private_networks=LOOPBACK,
    )
    assert status == 202
    assert seen == [("/hotline/events?source=hl", f"127.0.0.1:{port}", b'{"a": 1}', None)]


def test_nothing_is_sent_to_a_private_address_the_settings_do_not_allow(plain) -> None:  # type: ignore[no-untyped-def]
    port, seen = plain
    for url in (f"http://127.0.0.1:{port}/x", f"http://localhost:{port}/x"):
        with pytest.raises(egress.AddressNotAllowed):
            egress.post(url, b"{}", {}, timeout=TIMEOUT, private_networks=())
    assert seen == []


def test_https_is_checked_against_the_name_in_the_url_while_connecting_to_its_address(tls) -> None:  # type: ignore[no-untyped-def]
    port, seen, ca = tls
    assert (
        egress.post(
            f"https://localhost:{port}/in", b"{}", {}, timeout=TIMEOUT, private_networks=LOOPBACK, ca_certs=ca
        )
        == 202
    )
    assert seen == [("/in", f"localhost:{port}", b"{}", None)]
    with pytest.raises(urllib3.exceptions.SSLError):  # the certificate does not name 127.0.0.1
        egress.post(
            f"https://127.0.0.1:{port}/in", b"{}", {}, timeout=TIMEOUT, private_networks=LOOPBACK, ca_certs=ca
        )
    with pytest.raises(urllib3.exceptions.SSLError):  # nor is it trusted without its CA
        egress.post(f"https://localhost:{port}/in", b"{}", {}, timeout=TIMEOUT, private_networks=LOOPBACK)
    assert len(seen) == 1


def test_credentials_in_the_url_are_sent_as_http_basic_and_not_in_the_host(plain) -> None:  # type: ignore[no-untyped-def]
    port, seen = plain
    egress.post(
        f"http://hotline%40ong:s%3Acret@127.0.0.1:{port}/in",
        b"{}",
        {},
        timeout=TIMEOUT,
        private_networks=LOOPBACK,
    )
    [(_, host, _, authorization)] = seen
    assert host == f"127.0.0.1:{port}"
    assert authorization == "Basic " + base64.b64encode(b"hotline@ong:s:cret").decode()


def test_a_name_that_cannot_be_looked_up_is_an_error_not_a_crash() -> None:
    with pytest.raises(ValueError):  # a DNS label longer than 63 characters
        egress.post("http://" + "a" * 70 + ".example/x", b"{}", {}, timeout=TIMEOUT, private_networks=())


@pytest.fixture
def dns(monkeypatch):  # type: ignore[no-untyped-def]
    """Names of our own for the system's resolver (not ours): {name: [address, ...]}."""
    names: dict[str, list[str]] = {}
    system = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host not in names:
            return system(host, port, *args, **kwargs)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in names[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


def test_when_a_names_first_address_refuses_the_next_one_is_tried(plain, dns) -> None:  # type: ignore[no-untyped-def]
    """A partner with IPv6 and IPv4 addresses whose IPv6 is down (as "localhost" is, on machines
    that list ::1 first, for a receiver that listens on 127.0.0.1 only)."""
    port, seen = plain
    dns["partner.test"] = ["::1", "127.0.0.1"]
    assert (
        egress.post(f"http://partner.test:{port}/in", b"{}", {}, timeout=TIMEOUT, private_networks=LOOPBACK)
        == 202
    )
    assert [host for _, host, _, _ in seen] == [f"partner.test:{port}"]


def test_no_more_than_three_addresses_of_a_name_are_tried(plain, dns) -> None:  # type: ignore[no-untyped-def]
    """Three connect timeouts stay within a delivery's lease; a fourth address is not tried."""
    port, seen = plain
    dns["partner.test"] = ["127.0.0.2", "127.0.0.3", "::1", "127.0.0.1"]  # only the last listens
    with pytest.raises(urllib3.exceptions.NewConnectionError):
        egress.post(f"http://partner.test:{port}/in", b"{}", {}, timeout=TIMEOUT, private_networks=LOOPBACK)
    assert seen == []
    dns["partner.test"] = ["127.0.0.2", "127.0.0.3", "127.0.0.1", "::1"]
    assert (
        egress.post(f"http://partner.test:{port}/in", b"{}", {}, timeout=TIMEOUT, private_networks=LOOPBACK)
        == 202
    )


def test_a_name_written_with_its_final_dot_matches_its_certificate(tls, dns) -> None:  # type: ignore[no-untyped-def]
    port, _, ca = tls
    dns["localhost."] = ["127.0.0.1"]
    assert (
        egress.post(
            f"https://localhost.:{port}/in",
            b"{}",
            {},
            timeout=TIMEOUT,
            private_networks=LOOPBACK,
            ca_certs=ca,
        )
        == 202
    )


def test_only_the_status_is_read_not_a_huge_or_broken_body() -> None:
    """A partner that says 200 then sends a body it never finishes has taken the event."""

    class Endless(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", str(10**9))
            self.end_headers()
            self.wfile.write(b"x" * 1000)
            self.wfile.flush()
            time.sleep(10)  # never the rest: reading it would end in a read timeout

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert (
            egress.post(
                f"http://127.0.0.1:{server.server_port}/in",
                b"{}",
                {},
                timeout=(3.0, 1.0),
                private_networks=LOOPBACK,
            )
            == 200
        )
    finally:
        server.shutdown()
        server.server_close()
