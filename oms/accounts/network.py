"""S-3: who is on the other end of a request. Behind a reverse proxy every request comes from
the proxy, so the client's address is taken from `X-Forwarded-For`, but only when the direct peer
is one of the configured trusted proxies (`OMS_TRUSTED_PROXIES`); anyone else could write any
address into that header and escape the login throttle."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(e, strict=False) for e in entries)


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address: the direct peer, or, when the peer is a trusted proxy, the nearest
    address in `X-Forwarded-For` that is not itself a trusted proxy (read from the right, since
    the left-most entries are whatever the client chose to send)."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    networks = _networks(tuple(getattr(settings, "OMS_TRUSTED_PROXIES", ())))
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if a.strip()]
    for address in reversed(forwarded):
        try:
            ipaddress.ip_address(address)
        except ValueError:
            return peer  # a malformed chain: believe only what we saw ourselves
        if not _trusted(address, networks):
            return address
    return forwarded[0] if forwarded else peer
