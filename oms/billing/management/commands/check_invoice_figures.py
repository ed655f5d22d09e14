"""Issue 21: compare the figures kept on every invoice with what its payment matches compute."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from oms.billing.actions.figures import invoice_figure_errors


class Command(BaseCommand):
    help = "Check that every invoice's kept received / settled figures equal what its matches compute."

    def handle(self, *args: Any, **options: Any) -> None:
        errors = list(invoice_figure_errors())
        for line in errors[:100]:
            self.stdout.write(line)
        if errors:
            raise CommandError(f"{len(errors)} kept invoice figures differ from their matches")
        self.stdout.write("every invoice's kept figures agree with its matches")
