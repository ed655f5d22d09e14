"""Issue 21: compare the figures kept on every invoice with what its payment matches compute, and
the open balances and unsettled orders kept per customer with what the invoices compute; with
`--rebuild`, first recompute the open balances and unsettled orders from the invoices."""

from itertools import chain
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from oms.billing.actions.figures import balance_errors, invoice_figure_errors, rebuild_balances


class Command(BaseCommand):
    help = (
        "Check that every invoice's kept received / settled figures equal what its matches compute, "
        "and every customer's kept open balances and unsettled orders what the invoices compute "
        "(--rebuild: recompute those from the invoices first)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="recompute the open balances and unsettled orders from the invoices, then check",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            with transaction.atomic():
                written = rebuild_balances()
            self.stdout.write(f"open balances and unsettled orders rebuilt: {written} rows")
        errors = list(chain(invoice_figure_errors(), balance_errors()))
        for line in errors[:100]:
            self.stdout.write(line)
        if errors:
            raise CommandError(f"{len(errors)} kept figures differ from what they are kept from")
        self.stdout.write(
            "every invoice's kept figures agree with its matches, every open balance and unsettled "
            "order with the invoices"
        )
