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
from urllib.parse import unquote, urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressNotAllowed(ValueError):
    """The URL's host is, or resolves to, a loopback, private, link-local or reserved address."""


def allowed(address: Address, private_networks: Iterable[Network]) -> bool:
    if any(address in network for network in private_networks):
        return True
    return address.is_global and not address.is_multicast


def check_host(host: str, private_networks: Iterable[Network]) -> None:
    """When the console saves a URL: refuse a host that is plainly not public (an IP or localhost).

    A name is resolved only at each send; it may not resolve yet, and it may change.
    """
    if host.lower().rstrip(".") == "localhost" or host.lower().endswith(".localhost"):
        raise AddressNotAllowed("localhost")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return
    if not allowed(address, private_networks):
        raise AddressNotAllowed(str(address))


def resolve(host: str, port: int, private_networks: Iterable[Network]) -> str:
    """The address to connect to: the first one ``host`` resolves to, once all of them are allowed.

    Raises AddressNotAllowed when any is not (a name that resolves to a public and a private
    address is refused), or OSError when the name does not resolve.
    """
    networks = tuple(private_networks)
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0])
                 for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]
    refused = [str(a) for a in addresses if not allowed(a, networks)]
    if refused or not addresses:
        raise AddressNotAllowed(", ".join(refused))
    return str(addresses[0])


def post(url: str, body: bytes, headers: Mapping[str, str], *, timeout: tuple[float, float],
         private_networks: Iterable[Network], ca_certs: str | None = None) -> int:
    """POST ``body`` to ``url`` over a connection to a checked address, without following
    redirects or retrying; the response's status code. HTTPS certificates are checked against
    ``ca_certs`` (certifi's bundle, as requests does, by default).

    Raises AddressNotAllowed, OSError (the name does not resolve), ValueError (a name that
    cannot be looked up) or urllib3's HTTPError.
    """
    import certifi
    import urllib3

    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = resolve(host, port, private_networks)
    headers = {**headers, "Host": parts.netloc.rpartition("@")[2]}
    if parts.username is not None:  # https://user:secret@partner/...: HTTP basic, as requests does
        headers.update(urllib3.make_headers(
            basic_auth=f"{unquote(parts.username)}:{unquote(parts.password or '')}"))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    limits = urllib3.Timeout(connect=timeout[0], read=timeout[1])
    pool: urllib3.HTTPConnectionPool
    if https:
        pool = urllib3.HTTPSConnectionPool(address, port, timeout=limits, retries=False, maxsize=1,
                                           server_hostname=host, assert_hostname=host,
                                           cert_reqs="CERT_REQUIRED",
                                           ca_certs=ca_certs or certifi.where())
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=limits, retries=False, maxsize=1)
    with pool:
        response = pool.urlopen("POST", path, body=body, headers=headers, redirect=False,
                                retries=False, assert_same_host=False)
        return response.status
