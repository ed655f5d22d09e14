"""Issue 21 (ADRs 0018, 0019): check the KPIs' figures kept at write time against the records, or
recompute them from the records."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from oms.analytics.kept_checks import kept_figure_errors
from oms.tracking.actions import collection, confirmed, outcomes


class Command(BaseCommand):
    help = (
        "Check that the kept order-timeliness, order-accuracy, confirmation-accuracy and collection-rate "
        "figures equal what the records compute, month by month; --rebuild recomputes them from the "
        "records first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="recompute every kept figure first")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            with transaction.atomic():
                outcomes.rebuild()
                collection.rebuild()
                confirmed.rebuild()
            self.stdout.write("kept KPI figures recomputed from the records")
        errors = kept_figure_errors()
        for line in errors[:100]:
            self.stdout.write(line)
        if errors:
            raise CommandError(f"{len(errors)} kept KPI figures differ from the records")
        self.stdout.write("every kept KPI figure agrees with the records")
