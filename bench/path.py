"""An order's whole path (issue 21): create → submit → preliminary check → review by every
department → approval → customer confirmation → contract (generate, review, sign) → release,
through the actions, on each engine. Prints orders/s, statements per step, and the same as a
fraction of the raw floor (bench/floor.py) measured in the same run.

Also: creation alone from two processes at once (orders/s, CPU and statements per create), and
with --profile the top costs of the path under cProfile.

Not a test. Each engine runs in a child process on a scratch database of its own (a temporary
SQLite file; `bench_path` on the local PostgreSQL server, or $OMS_BENCH_PATH_DB):

    .venv/bin/python bench/path.py [--engines sqlite,postgresql] [--orders 40] [--creates 300] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing
import os
import pstats
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import scratch

STEPS = (
    "create",
    "submit",
    "pass_check",
    "review (each department)",
    "approval (each step)",
    "confirmation",
    "contract generate",
    "contract review",
    "contract sign",
    "release",
)


def walk(things: dict[str, Any], i: int, counts: dict[str, list[int]] | None = None) -> None:
    """One order along the whole path; with `counts`, the statements of every step."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oms.contracts import actions as contracts
    from oms.fulfilment import actions as fulfilment
    from oms.intake import actions as intake
    from oms.review import actions as review
    from oms.review.models import ApprovalStep, ReviewTask

    def step(name: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if counts is None:
            return fn(*args, **kwargs)
        with CaptureQueriesContext(connection) as ctx:
            result = fn(*args, **kwargs)
        counts.setdefault(name, []).append(len(ctx.captured_queries))
        return result

    sales, head = things["sales"], things["head"]
    order = step(
        "create",
        intake.create_order,
        actor=sales,
        data=scratch.header(things),
        lines=scratch.lines(things, i, salt=9),
    )
    order = step("submit", intake.submit_order, actor=sales, order=order)
    order = step("pass_check", intake.pass_check, actor=head, order=order)
    while (task := ReviewTask.objects.filter(round__order=order, status="open").first()) is not None:
        step(
            "review (each department)", review.give_opinion, actor=task.assignee, task=task, verdict="approve"
        )
    for step_row in ApprovalStep.objects.filter(order=order).order_by("seq"):
        step_row.refresh_from_db()
        step("approval (each step)", review.decide_step, actor=step_row.approver, step=step_row, approve=True)
    order.refresh_from_db()
    step("confirmation", review.record_confirmation, actor=sales, order=order, confirmed_by_name="张伟")
    contract = step("contract generate", contracts.generate_contract, actor=sales, order=order)
    ok = {k: (True, "") for k in ("capacity", "process", "quantity", "price", "delivery")}
    contract = step("contract review", contracts.review_contract, actor=head, contract=contract, points=ok)
    step(
        "contract sign",
        contracts.sign_contract,
        actor=sales,
        contract=contract,
        scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4 signed"),
    )
    order.refresh_from_db()
    step("release", fulfilment.release_order, actor=head, order=order)


def _creator(url: str, n: int, salt: int, start_at: float, out: Any) -> None:
    """One of the two creating processes: n creates, after a common start signal."""
    scratch.start_django(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from oms.intake import actions as intake

    things = scratch.people()
    data = scratch.header(things)
    with CaptureQueriesContext(connection) as ctx:
        intake.create_order(actor=things["sales"], data=data, lines=scratch.lines(things, 999, salt=salt))
    statements = len(ctx.captured_queries)
    while time.time() < start_at:
        time.sleep(0.005)
    cpu0, t0 = time.process_time(), time.perf_counter()
    done = 0
    try:
        for i in range(n):
            intake.create_order(actor=things["sales"], data=data, lines=scratch.lines(things, i, salt=salt))
            done += 1
    except Exception as exc:  # e.g. SQLite's busy timeout: reported, not hidden
        print(f"creator {salt}: stopped after {done} orders: {exc!r}", flush=True)
    out.put((done, time.perf_counter() - t0, time.process_time() - cpu0, statements))


def _walker(url: str, n: int, first: int, start_at: float, out: Any) -> None:
    """One of the processes walking orders along the path at once, after a common start signal."""
    scratch.start_django(url)
    things = scratch.people()
    walk(things, first - 1)  # warm up
    while time.time() < start_at:
        time.sleep(0.005)
    cpu0, t0 = time.process_time(), time.perf_counter()
    for i in range(first, first + n):
        walk(things, i)
    out.put((n, time.perf_counter() - t0, time.process_time() - cpu0))


def _at_once(target: Any, args: list[tuple[Any, ...]], *, start_in: float, timeout: float) -> list[Any]:
    """Run `target(*a, start_at, out)` for each `a` in its own process, all starting together at
    `start_at` (after Django has started in each), and collect what each puts on `out`."""
    from django.db import connection

    connection.close()
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + start_in
    procs = [ctx.Process(target=target, args=(*a, start_at, out)) for a in args]
    for p in procs:
        p.start()
    results = [out.get(timeout=timeout) for _ in procs]
    for p in procs:
        p.join()
    return results


def paths_in_processes(url: str, processes: int, n: int) -> tuple[float, float]:
    """The path walked by several processes at once (one customer, one numbering, one audit
    chain, as in one company): (orders/s, CPU ms of our processes per order)."""
    args = [(url, n, 20_000 + 2_000 * k) for k in range(processes)]
    results = _at_once(_walker, args, start_in=10, timeout=900)
    total = sum(r[0] for r in results)
    return total / max(r[1] for r in results), sum(r[2] for r in results) / total * 1000


def creates_two_processes(url: str, n: int) -> tuple[float, float, int, float]:
    """Creates from two processes at once: (orders/s, CPU ms per create, statements, wall s)."""
    results = _at_once(_creator, [(url, n, salt) for salt in (1, 2)], start_in=8, timeout=600)
    wall = max(r[1] for r in results)
    total = sum(r[0] for r in results)
    cpu_ms = sum(r[2] for r in results) / max(total, 1) * 1000
    return total / wall, cpu_ms, results[0][3], wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--engine", default="")
    parser.add_argument("--orders", type=int, default=40, help="orders walked along the whole path")
    parser.add_argument("--creates", type=int, default=300, help="creates per process (two processes)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--path-processes", type=int, default=0, help="also walk the path from this many processes at once"
    )
    parser.add_argument(
        "--replay",
        action="store_true",
        help="also replay the path's statements without Python (bench/replay.py)",
    )
    args = parser.parse_args()
    if not args.engine:
        extra = [f"--orders={args.orders}", f"--creates={args.creates}"]
        extra += ["--profile"] if args.profile else []
        extra += ["--replay"] if args.replay else []
        extra += [f"--path-processes={args.path_processes}"] if args.path_processes else []
        scratch.run_per_engine(__file__, args.engines.split(","), extra)
        return

    # OMS_BENCH_PATH_DB: a scratch database of its own when several runs share the server.
    url = scratch.engine_url(args.engine, os.environ.get("OMS_BENCH_PATH_DB", "bench_path"))
    scratch.start_django(url)
    things = scratch.prepare()
    from django.db import connection

    from bench.floor import measure_floor
    from oms.customers.models import Customer

    # The bench's orders must pass the credit check however many are open (B-6).
    Customer.objects.filter(pk=things["customer"].pk).update(credit_limit=10**12)
    things = scratch.people()
    floor = measure_floor(1000)
    print(f"\n== {connection.vendor}  python {sys.version.split()[0]}  cores {os.cpu_count()}")
    print(f"raw floor: {floor:,.0f} orders/s (INSERT order + 3 lines + COMMIT)")

    walk(things, 0)  # warm up: first use of templates, caches, connections
    counts: dict[str, list[int]] = {}
    cpu0, t0 = time.process_time(), time.perf_counter()
    for i in range(1, args.orders + 1):
        walk(things, i, counts if i == 1 else None)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    rate = args.orders / elapsed
    print(
        f"path: {args.orders} orders in {elapsed:.2f} s = {rate:.1f} orders/s "
        f"({rate / floor:.2%} of the floor), {cpu / args.orders * 1000:.1f} ms CPU per order"
    )
    total = 0
    for name in STEPS:
        n = counts.get(name, [])
        total += sum(n)
        shown = f"{sum(n)} ({' + '.join(map(str, n))})" if len(n) > 1 else str(sum(n))
        print(f"  {name:26} {shown} statements  (max one call: {max(n) if n else 0})")
    print(f"  {'whole path':26} {total} statements")

    if args.replay:
        replay_path(things, args.orders, rate)

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(args.orders + 1, args.orders + 11):
            walk(things, i)
        profiler.disable()
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats("cumulative").print_stats(r"oms/|django/db/models/query|recorder|policy", 45)
        stats.sort_stats("tottime").print_stats(25)
        print(buffer.getvalue())
        _print_statement_kinds(things)

    if args.path_processes:
        rate, cpu_ms = paths_in_processes(url, args.path_processes, args.orders)
        print(
            f"path, {args.path_processes} processes at once: {rate:.1f} orders/s "
            f"({rate / floor:.2%} of the floor), {cpu_ms:.1f} ms CPU of ours per order"
        )

    rate, cpu_ms, statements, wall = creates_two_processes(url, args.creates)
    print(
        f"create, two processes: {2 * args.creates} orders in {wall:.2f} s = {rate:.1f} orders/s "
        f"({rate / floor:.2%} of the floor), {cpu_ms:.2f} ms CPU and {statements} statements per create"
    )


def replay_path(things: dict[str, Any], n: int, rate: float) -> None:
    """The same path's statements sent again with no Python between them: the database's share."""
    from django.db import connection

    from bench import replay

    name = str(connection.settings_dict["NAME"]).rsplit("/", 1)[-1]
    copy, copy2 = replay.snapshot(f"{name}_replay"), replay.snapshot(f"{name}_replay2")
    recorder = replay.Recorder()
    with recorder.recording():
        for i in range(50_001, 50_001 + n):
            walk(things, i)
    wall, cpu, server = replay.replay(recorder, copy)
    slowest: dict[str, list[float]] = {}
    replay.replay(recorder, copy2, slowest)  # again, timing each statement (costs a little)
    per = wall / n * 1000
    print(
        f"replay: the same {recorder.statements() // n} statements and {recorder.transactions() // n} "
        f"commits per order sent straight to the driver on a copy: {n / wall:.1f} orders/s, {per:.1f} ms "
        f"per order ({cpu / n * 1000:.1f} ms of CPU in this process, {server / n * 1000:.1f} ms in the "
        f"database server's); the path spends "
        f"{per / (1000 / rate):.0%} of its time there"
    )
    print("  where the replay's time goes, per order (ms, statements of that text):")
    for text, times in sorted(slowest.items(), key=lambda kv: -sum(kv[1]))[:12]:
        print(f"  {sum(times) / n * 1000:7.2f} {len(times) / n:5.1f}  {text}")


def _print_statement_kinds(things: dict[str, Any]) -> None:
    """The statements of one path grouped by their first words, most frequent first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        walk(things, 99_999)
    kinds: Counter[str] = Counter()
    for q in ctx.captured_queries:
        sql = q["sql"]
        words = sql.split()
        if words[0] in {"SELECT", "UPDATE", "DELETE"}:
            table = next((w for w in words if w.startswith('"') and "_" in w), "?")
            kinds[f"{words[0]} {table.split('.')[0]}"] += 1
        elif words[0] == "INSERT":
            kinds[f"INSERT {words[2]}"] += 1
        else:
            kinds[" ".join(words[:2])] += 1
    print(f"statements of one path: {len(ctx.captured_queries)}; the slowest:")
    for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:8]:
        print(f"  {float(q['time']) * 1000:7.2f} ms  {q['sql'][:150]}")
    for kind, n in kinds.most_common(25):
        print(f"  {n:4}  {kind}")


if __name__ == "__main__":
    main()
