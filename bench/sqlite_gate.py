"""The SQLite writers' gate on its own (issue 21, oms.core.sqlite.gate): two processes each run
transactions that hold the write lock for a fixed amount of CPU, with SQLite's busy handler alone
("plain") and with the gate taken before BEGIN IMMEDIATE ("gate"), alternately, so that both see
the same load. Not a test: it prints transactions per second and how far that is from the ideal
(one transaction's CPU after another, no time lost between them).

    .venv/bin/python bench/sqlite_gate.py [--transactions 400] [--inside-ms 2.0] [--outside-ms 0.3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from oms.core.sqlite.gate import WriterGate


def _spin(ms: float) -> None:
    end = time.process_time() + ms / 1000
    while time.process_time() < end:
        pass


def _writer(path: str, gated: bool, n: int, inside: float, outside: float, start: float, out: Any) -> None:
    db = sqlite3.connect(path, timeout=20, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    gate = WriterGate(path + "-writers") if gated else None
    while time.time() < start:
        time.sleep(0.001)
    cpu, t = time.process_time(), time.perf_counter()
    for i in range(n):
        _spin(outside)
        held = gate is not None and gate.acquire(20)
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO t (x) VALUES (?)", (i,))
        _spin(inside)
        db.execute("COMMIT")
        if held and gate is not None:
            gate.release()
    out.put((time.perf_counter() - t, time.process_time() - cpu))


def run(gated: bool, n: int, inside: float, outside: float) -> tuple[float, float]:
    path = str(Path(tempfile.mkdtemp()) / "gate.sqlite3")
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (x integer)")
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start = time.time() + 1.5
    procs = [
        ctx.Process(target=_writer, args=(path, gated, n, inside, outside, start, out)) for _ in range(2)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    wall = max(r[0] for r in results)
    cpu_ms = sum(r[1] for r in results) / (2 * n) * 1000
    return 2 * n / wall, cpu_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", type=int, default=400, help="per process")
    parser.add_argument("--inside-ms", type=float, default=2.0, help="CPU inside the transaction")
    parser.add_argument("--outside-ms", type=float, default=0.3, help="CPU between transactions")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ideal = 1000 / args.inside_ms  # one writer at a time, no time lost between them
    print(f"ideal (the lock never idle): {ideal:.0f}/s")
    for _ in range(args.rounds):
        for gated in (False, True):
            rate, cpu = run(gated, args.transactions, args.inside_ms, args.outside_ms)
            name = "gate " if gated else "plain"
            print(f"{name}: {rate:6.1f} transactions/s ({rate / ideal:.0%} of ideal), {cpu:.2f} ms CPU each")


if __name__ == "__main__":
    main()
