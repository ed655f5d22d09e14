import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from oms.ops.jobs import run_due


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (deadline sweeper, statistics, recovery of orphaned tasks), each once "
        "per interval across every node running this command (issue 24.3). --once: one pass."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run what is due once and stop")
        parser.add_argument("--tick", type=float, default=1.0, help="seconds between passes")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        while not stop.is_set():
            close_old_connections()
            for run in run_due():
                if options["verbosity"] > 1:
                    self.stdout.write(f"{run.job} {run.slot:%H:%M:%S} ok={run.ok} {run.result}")
            if options["once"]:
                return
            stop.wait(options["tick"])
