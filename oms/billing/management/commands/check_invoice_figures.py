"""Issue 21: compare the figures kept on every invoice with what its payment matches compute, and
the open balances kept per customer with what the invoices compute."""

from itertools import chain
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from oms.billing.actions.figures import balance_errors, invoice_figure_errors


class Command(BaseCommand):
    help = (
        "Check that every invoice's kept received / settled figures equal what its matches compute, "
        "and every customer's kept open balances what the invoices compute."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        errors = list(chain(invoice_figure_errors(), balance_errors()))
        for line in errors[:100]:
            self.stdout.write(line)
        if errors:
            raise CommandError(f"{len(errors)} kept figures differ from what they are kept from")
        self.stdout.write(
            "every invoice's kept figures agree with its matches, every open balance with the invoices"
        )
