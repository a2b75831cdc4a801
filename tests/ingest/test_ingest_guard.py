"""The SSRF guard on literal addresses, legacy forms and names (an injected resolver: no DNS, no network)."""

from __future__ import annotations

import httpx
import pytest

from parallax.ingest.errors import FetchError
from parallax.ingest.guard import GuardedTransport, address_problem, check_url, parse_ip


def resolver_for(table: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError(-2, "Name or service not known")
        return table[host]

    return resolve


NAMES = resolver_for({
    "news.example": ["93.184.216.34"],
    "intranet.example": ["10.0.0.1"],
    "mixed.example": ["93.184.216.34", "192.168.1.20"],
    "v6only.example": ["2606:4700::6810:85e5"],
    "v6local.example": ["fd12:3456::1"],
    "mapped.example": ["::ffff:169.254.169.254"],
    "metadata.example": ["169.254.169.254"],
})


def code_of(url: str, **kw) -> str:
    with pytest.raises(FetchError) as ei:
        check_url(url, resolver=NAMES, **kw)
    return ei.value.code


@pytest.mark.parametrize("url, why", [
    ("http://10.0.0.1/", "private"),
    ("http://172.16.5.4/", "private"),
    ("http://192.168.0.1/", "private"),
    ("http://127.0.0.1/", "loopback"),
    ("http://127.8.9.10:8080/", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://[::ffff:7f00:1]/", "loopback"),
    ("http://[::ffff:10.1.2.3]/", "private"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fc00::1]/", "private"),
    ("http://[fd00:ec2::254]/", "private"),
    ("http://[ff02::1]/", "multicast"),
    ("http://[::]/", "unspecified"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://0/", "unspecified"),
    ("http://100.64.1.1/", "CGNAT"),
    ("http://224.0.0.1/", "multicast"),
    ("http://240.0.0.1/", "reserved"),
    ("http://255.255.255.255/", "reserved"),
    ("http://192.0.2.10/", "private"),  # documentation range
    ("http://2130706433/", "loopback"),  # 127.0.0.1 as one number
    ("http://0x7f.0.0.1/", "loopback"),
    ("http://0x7f000001/", "loopback"),
    ("http://127.1/", "loopback"),
    ("http://017700000001/", "loopback"),  # octal
    ("http://[64:ff9b::10.0.0.1]/", "private"),  # NAT64 of a private address
    ("http://[2002:0a00:0001::1]/", "private"),  # 6to4 of 10.0.0.1
    ("http://[::127.0.0.1]/", "loopback"),  # IPv4-compatible
])
def test_refuses_non_public_literals(url: str, why: str) -> None:
    with pytest.raises(FetchError) as ei:
        check_url(url, resolver=NAMES)
    assert ei.value.code == "PX402"
    assert why in ei.value.message
    assert ei.value.input == url


@pytest.mark.parametrize("url", ["http://93.184.216.34/", "https://[2606:4700::6810:85e5]/a",
                                 "https://news.example/feed.xml", "http://v6only.example:8443/x"])
def test_allows_public(url: str) -> None:
    checked = check_url(url, resolver=NAMES)
    assert checked.addresses and all(address_problem(parse_ip(a)) is None for a in checked.addresses)


def test_hostname_resolving_to_private_is_refused() -> None:
    with pytest.raises(FetchError) as ei:
        check_url("https://intranet.example/wiki", resolver=NAMES)
    assert ei.value.code == "PX402" and "intranet.example -> 10.0.0.1 is private" in ei.value.message
    for host in ("mixed.example", "v6local.example", "mapped.example", "metadata.example"):
        assert code_of(f"http://{host}/") == "PX402", host


def test_any_bad_record_refuses_the_name() -> None:
    with pytest.raises(FetchError) as ei:
        check_url("http://mixed.example/", resolver=NAMES)
    assert "192.168.1.20" in ei.value.message


def test_allow_private_and_allow_networks() -> None:
    assert check_url("http://10.0.0.1/", allow_private=True).addresses == ["10.0.0.1"]
    assert check_url("http://intranet.example/", resolver=NAMES, allow_networks=["10.0.0.0/8"]).addresses
    assert code_of("http://192.168.0.1/", allow_networks=["10.0.0.0/8"]) == "PX402"
    # Never connectable as a web server, even when private addresses are allowed.
    assert code_of("http://0.0.0.0/", allow_private=True) == "PX402"
    assert code_of("http://[ff02::1]/", allow_private=True) == "PX402"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://news.example/x", "gopher://news.example/",
                                 "javascript:alert(1)", "news.example/page", "http:///nohost",
                                 "http://user:pw@news.example/", "http://news.example@127.0.0.1/",
                                 "http://[::1", "data:text/html,<p>x</p>"])
def test_refuses_bad_urls(url: str) -> None:
    assert code_of(url) == "PX401"


def test_unknown_host_is_px403() -> None:
    assert code_of("http://nowhere.invalid/") == "PX403"


def test_transport_checks_and_pins_every_request() -> None:
    """The transport refuses a private name before connecting, and connects to the checked IP."""
    seen: list[tuple[str, str, str | None]] = []

    class Recorder(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen.append((str(request.url), request.headers["host"], request.extensions.get("sni_hostname")))
            return httpx.Response(200, text="ok")

    guard = GuardedTransport(resolver=NAMES, inner_factory=Recorder)
    with httpx.Client(transport=guard) as client:
        assert client.get("https://news.example/a?b=1").text == "ok"
        with pytest.raises(FetchError) as ei:
            client.get("http://intranet.example/")
        assert ei.value.code == "PX402"
    assert seen == [("https://93.184.216.34/a?b=1", "news.example", "news.example")]
