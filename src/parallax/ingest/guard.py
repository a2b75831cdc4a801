"""SSRF guard: which URLs may be fetched, and a transport that connects only to checked addresses.

`check_url` refuses non-http(s) schemes, URLs without a host, URLs with userinfo (`user:pw@`), and hosts
that resolve (any of their A/AAAA records) to a non-public address: loopback, private (RFC 1918,
fc00::/7), link-local (169.254/16, fe80::/10), multicast, unspecified, reserved, shared address space
(CGNAT 100.64/10), documentation and benchmarking ranges, and IPv6 forms that embed such an IPv4 address
(IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16, Teredo).
Legacy numeric host forms (`2130706433`, `0x7f.1`, `127.1`) are read the way the C resolver reads them.

`GuardedTransport` re-checks every request it sends (so every redirect hop and every robots.txt fetch)
and pins the connection to the address it checked: the URL's host is replaced by that IP, the `Host`
header keeps the name and TLS uses the name for SNI and certificate checks. There is no second DNS
lookup between the check and the connect, so DNS rebinding cannot swap the address in between.

Ports are not restricted: a public host on an odd port is not an SSRF risk the address check misses.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import httpx

from parallax.ingest.errors import FetchError, fetch_error

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]

ALLOWED_SCHEMES = ("http", "https")

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPAT = ipaddress.ip_network("::/96")
_LEGACY_NUMERIC = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}\.?$", re.I)
# A host name as DNS has it (after IDNA): labels of letters, digits, "-" and "_", 1-63 characters each.
_HOST_NAME = re.compile(r"^(?=.{1,253}\.?$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$",
                        re.I)


def system_resolver(host: str, port: int) -> list[str]:
    """All addresses (A and AAAA) the system resolver gives for `host`, in its order, without duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    out: list[str] = []
    for info in infos:
        addr = str(info[4][0])
        if addr not in out:
            out.append(addr)
    return out


def parse_ip(host: str) -> IPAddress | None:
    """`host` as an IP address if it is one, including legacy IPv4 forms (`2130706433`, `0x7f.1`, `127.1`)."""
    h = host.strip("[]")
    try:
        return ipaddress.ip_address(h.split("%", 1)[0] if ":" in h else h)
    except ValueError:
        pass
    if _LEGACY_NUMERIC.match(h):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(h.rstrip(".")))
        except OSError:
            return None
    return None


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # the client's (obfuscation removed) address
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _IPV4_COMPAT and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_problem(ip: IPAddress) -> str | None:
    """Why `ip` may not be fetched from (a short phrase), or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address):
        v4 = _embedded_v4(ip)
        if v4 is not None:
            inner = address_problem(v4)
            if inner:
                return f"{inner} (IPv4 {v4} embedded in IPv6)"
            if ip.ipv4_mapped is None and ip in _IPV4_COMPAT:
                return "deprecated IPv4-compatible IPv6"
        if ip in _NAT64_LOCAL:
            return "local-use NAT64"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "shared address space (CGNAT)"
    if ip.is_reserved:
        return "reserved"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "not globally routable"
    return None


@dataclass(slots=True)
class CheckedURL:
    """A URL that passed the guard, with the addresses it may be connected to (in resolver order)."""

    url: httpx.URL
    host: str  # ASCII (IDNA) host, no brackets
    port: int
    addresses: list[str] = field(default_factory=list)


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def parse_url(url: str | httpx.URL) -> httpx.URL:
    """Parse with httpx (the same parser the client uses) and apply the scheme/host/userinfo rules."""
    name = str(url)
    try:
        u = url if isinstance(url, httpx.URL) else httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise fetch_error("PX401", name, f"cannot parse: {exc}") from exc
    if u.scheme not in ALLOWED_SCHEMES:
        raise fetch_error("PX401", name, f"scheme {u.scheme or 'missing'!r}")
    if not u.raw_host:
        raise fetch_error("PX401", name, "no host")
    if u.userinfo:
        raise fetch_error("PX401", name, "user:password@ in the URL")
    try:
        host = u.raw_host.decode("ascii")
    except UnicodeDecodeError:
        raise fetch_error("PX401", name, "a host that is not ASCII after IDNA encoding") from None
    if not (host.startswith("[") or ":" in host or _HOST_NAME.match(host)):
        raise fetch_error("PX401", name, f"malformed host {host[:80]!r} (only letters, digits, '-', '_' and "
                                         "dots; percent-escapes are not host names)")
    return u


def check_url(url: str | httpx.URL, *, allow_private: bool = False, allow_networks: Iterable[str | Network] = (),
              resolver: Resolver | None = None) -> CheckedURL:
    """Check `url` and resolve its host; raise FetchError (PX401/PX402/PX403) if it may not be fetched.

    Every address the host resolves to must be public (or inside `allow_networks`, or `allow_private`):
    one bad record is enough to refuse, since the connection could be made to any of them.
    """
    u = parse_url(url)
    name = str(url)
    host = u.raw_host.decode("ascii").rstrip(".").lower()
    port = u.port or _default_port(u.scheme)
    literal = parse_ip(host)
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = list((resolver or system_resolver)(host, port))
        except (OSError, UnicodeError) as exc:
            raise fetch_error("PX403", name, f"{host}: {getattr(exc, 'strerror', None) or exc}") from exc
        if not addresses:
            raise fetch_error("PX403", name, f"{host}: no address")
    nets = [ipaddress.ip_network(n, strict=False) if isinstance(n, str) else n for n in allow_networks]
    checked: list[str] = []
    for a in addresses:
        ip = parse_ip(a)
        if ip is None:
            raise fetch_error("PX403", name, f"{host}: resolver gave {a!r}, not an address")
        if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        problem = address_problem(ip)
        if ip.is_unspecified or ip.is_multicast:
            problem = problem or "unspecified"  # never connectable as a web server, even with --allow-private
        elif problem and (allow_private or any(ip.version == n.version and ip in n for n in nets)):
            problem = None
        if problem:
            shown = host if literal is not None else f"{host} -> {ip}"
            raise fetch_error("PX402", name, f"{shown} is {problem}")
        checked.append(str(ip))
    return CheckedURL(url=u, host=host, port=port, addresses=checked)


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that checks each request's URL and connects only to the checked address.

    One inner `httpx.HTTPTransport` (connection pool) per host name, so a TLS connection made for one
    name is never reused for another name that happens to share its IP.
    """

    def __init__(self, *, allow_private: bool = False, allow_networks: Iterable[str | Network] = (),
                 resolver: Resolver | None = None, verify: bool | str = True,
                 inner_factory: Callable[[], httpx.BaseTransport] | None = None):
        self.allow_private = allow_private
        self.allow_networks = [ipaddress.ip_network(n, strict=False) if isinstance(n, str) else n
                               for n in allow_networks]
        self.resolver = resolver
        self._verify = verify
        self._factory = inner_factory or (lambda: httpx.HTTPTransport(verify=self._verify, retries=0))
        self._pools: dict[tuple[str, str, int], httpx.BaseTransport] = {}
        self._lock = threading.Lock()

    def check(self, url: str | httpx.URL) -> CheckedURL:
        return check_url(url, allow_private=self.allow_private, allow_networks=self.allow_networks,
                         resolver=self.resolver)

    def _pool(self, key: tuple[str, str, int]) -> httpx.BaseTransport:
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = self._factory()
            return pool

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        checked = self.check(request.url)
        pool = self._pool((request.url.scheme, checked.host, checked.port))
        original = request.url
        last: Exception | None = None
        for ip in checked.addresses:
            request.url = original.copy_with(host=ip)
            if original.scheme == "https":
                request.extensions = {**request.extensions, "sni_hostname": checked.host}
            try:
                return pool.handle_request(request)
            except httpx.ConnectError as exc:  # try the host's next (also checked) address
                last = exc
            finally:
                request.url = original
        assert last is not None
        raise last

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for p in pools:
            p.close()


__all__ = ["CheckedURL", "FetchError", "GuardedTransport", "address_problem", "check_url", "parse_ip",
           "parse_url", "system_resolver"]
