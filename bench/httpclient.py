"""A light HTTP/1.1 load client for the API benchmarks (issue 21): asyncio, raw requests, one
persistent connection per client, kept open when the server keeps it (gunicorn's `gthread`),
opened again when it closes it (`sync`, which closes after every answer).

Why not urllib in threads (bench/cluster.py's `post`): each request builds a Request, an opener
chain and an email-style header parser, in one of 8 threads contending for the GIL, on the same
two cores as the server — about a third of the cores' time went to the client
(bench/RESULTS.md, round 6). Here the client's CPU per request is a small part of the server's,
and it is measured (`client_cpu`) so that what is left is the server's."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)
    connections: int = 0
    elapsed: float = 0.0
    client_cpu: float = 0.0


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body, and whether the server closes the connection after it."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed before the answer")
    status = int(status_line.split()[1])
    length, chunked, close = 0, False, status_line.startswith(b"HTTP/1.0")
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value:
            chunked = True
        elif name == "connection":
            close = value == "close"
    if not chunked:
        return status, await reader.readexactly(length), close
    body = b""
    while size := int((await reader.readline()).split(b";")[0], 16):
        body += await reader.readexactly(size)
        await reader.readline()
    await reader.readline()
    return status, body, close


async def _client(
    host: str, port: int, head: str, requests: Sequence[tuple[str, bytes]], expect: int, run: Run
) -> None:
    writer: asyncio.StreamWriter | None = None
    reader: asyncio.StreamReader | None = None
    for key, body in requests:
        started = time.perf_counter()
        if writer is None:
            reader, writer = await asyncio.open_connection(host, port)
            run.connections += 1
        assert reader is not None
        writer.write(f"{head}Idempotency-Key: {key}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        status, answer, close = await _read_answer(reader)
        run.latencies.append(time.perf_counter() - started)
        if status != expect:
            run.errors.append((status, answer[:300]))
        if close:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


def post_all(
    host: str,
    port: int,
    path: str,
    token: str,
    batches: Sequence[Sequence[tuple[str, bytes]]],
    expect: int = 201,
) -> Run:
    """Each batch is one client's requests (Idempotency-Key, JSON body), sent one after another;
    the batches run at once."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\nAccept: application/json\r\n"
    )
    run = Run()

    async def all_clients() -> None:
        await asyncio.gather(*(_client(host, port, head, batch, expect, run) for batch in batches))

    cpu, started = time.process_time(), time.perf_counter()
    asyncio.run(all_clients())
    run.elapsed, run.client_cpu = time.perf_counter() - started, time.process_time() - cpu
    return run
