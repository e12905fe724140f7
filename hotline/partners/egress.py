"""Requests to addresses typed in the console go to public addresses only.

A partner webhook's URL is typed by an admin. Unchecked, one stolen admin account could make the
worker POST to what only the server can reach: Redis, PostgreSQL, an intranet page, the cloud's
metadata service at 169.254.169.254. So the host is resolved once, every address it resolves to must
be public (or inside ``HOTLINE_WEBHOOK_PRIVATE_NETWORKS``, for a partner on the same VPN), and the
connection is opened to the address that was checked: a DNS answer that changes between the check
and the connection (DNS rebinding) cannot slip through.

urllib3 (what requests is built on) is used directly because it connects to a given IP while TLS
still checks the certificate of, and sends SNI for, the name in the URL. advocate, the package that
did this for requests, needs urllib3 < 2 and has not been released since 2020.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 addresses that carry an IPv4 address in their last 32 bits and can reach it: NAT64's
# well-known prefix, and the deprecated IPv4-compatible form.
_CARRY_IPV4 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::/96"))


class AddressNotAllowed(ValueError):
    """The URL's host is, or resolves to, a loopback, private, link-local or reserved address."""


def allowed(address: Address, private_networks: Iterable[Network]) -> bool:
    networks = tuple(private_networks)
    if any(address in network for network in networks):
        return True
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if inner is None and any(address in prefix for prefix in _CARRY_IPV4):
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return allowed(inner, networks)
    return address.is_global and not (address.is_multicast or address.is_reserved)


def check_host(host: str, private_networks: Iterable[Network]) -> None:
    """When the console saves a URL: refuse a host that is plainly not public: localhost, or an
    address in any form the system reads as one (127.1, 2130706433, 0x7f000001, [::1]).

    A name is resolved only at each send; it may not resolve yet, and it may change.
    """
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        raise AddressNotAllowed("localhost")
    try:
        infos = socket.getaddrinfo(name, None, flags=socket.AI_NUMERICHOST, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return  # a name, not an address
    _checked(infos, private_networks)


def resolve(host: str, port: int, private_networks: Iterable[Network]) -> list[str]:
    """The addresses to connect to, in the resolver's order, once every one is allowed.

    Raises AddressNotAllowed when any is not (a name that resolves to a public and a private
    address is refused), or OSError when the name does not resolve.
    """
    return _checked(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM), private_networks)


def _checked(infos: list[tuple[Any, ...]], private_networks: Iterable[Network]) -> list[str]:
    """The distinct addresses of getaddrinfo's answer; AddressNotAllowed unless all are allowed."""
    networks = tuple(private_networks)
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos))
    refused = [str(a) for a in addresses if not allowed(a, networks)]
    if refused or not addresses:
        raise AddressNotAllowed(", ".join(refused))
    return [str(a) for a in addresses]


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: tuple[float, float],
    private_networks: Iterable[Network],
    ca_certs: str | None = None,
) -> int:
    """POST ``body`` to ``url`` over a connection to a checked address, without following
    redirects or retrying; the response's status code (its body is not read). HTTPS
    certificates are checked against ``ca_certs`` (certifi's bundle, as requests does, by default).

    Raises AddressNotAllowed, OSError (the name does not resolve), ValueError (a name that
    cannot be looked up) or urllib3's HTTPError.
    """
    import certifi
    import urllib3

    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    # At most three addresses: three connect timeouts stay well inside a delivery's lease.
    addresses = resolve(host, port, private_networks)[:3]
    headers = {**headers, "Host": parts.netloc.rpartition("@")[2]}
    if parts.username is not None:  # https://user:secret@partner/...: HTTP basic, as requests does
        headers.update(
            urllib3.make_headers(basic_auth=f"{unquote(parts.username)}:{unquote(parts.password or '')}")
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    limits = urllib3.Timeout(connect=timeout[0], read=timeout[1])
    name = host.rstrip(".")  # "partner.org." is partner.org's certificate too

    def post_to(address: str) -> int:
        pool: urllib3.HTTPConnectionPool
        if https:
            pool = urllib3.HTTPSConnectionPool(
                address,
                port,
                timeout=limits,
                retries=False,
                maxsize=1,
                server_hostname=name,
                assert_hostname=name,
                cert_reqs="CERT_REQUIRED",
                ca_certs=ca_certs or certifi.where(),
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=limits, retries=False, maxsize=1)
        with pool:
            response = pool.urlopen(
                "POST",
                path,
                body=body,
                headers=headers,
                redirect=False,
                retries=False,
                assert_same_host=False,
                preload_content=False,
            )
            response.close()  # the status is the answer: a body, however large or broken, is not read
            return response.status

    for address in addresses[:-1]:
        try:
            return post_to(address)
        except urllib3.exceptions.ConnectTimeoutError:  # refused, unreachable, or too slow to
            continue  # connect: nothing was sent; the next one
    return post_to(addresses[-1])
