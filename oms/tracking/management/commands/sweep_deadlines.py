import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oms.core.db import refresh_statistics
from oms.tracking.tasks import sweep_deadlines


class Command(BaseCommand):
    help = "Escalate overdue steps once, or every --every seconds (the embedded default's scheduler)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds until stopped")

    def handle(self, *args: Any, **options: Any) -> None:
        passes = 0
        while True:
            if passes % 60 == 0:
                refresh_statistics()  # hourly in the embedded default's loop
            passes += 1
            result = sweep_deadlines.enqueue()
            if options["verbosity"] > 1:
                self.stdout.write(f"sweep: {result.status}")
            if not options["every"]:
                return
            time.sleep(options["every"])
