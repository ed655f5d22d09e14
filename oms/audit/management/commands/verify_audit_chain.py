from typing import Any

from django.core.management.base import BaseCommand, CommandError

from oms.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and report the first broken link (S-2)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"audit chain broken at event {report.broken_at}: {report.problem} ({report.checked} events verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {report.checked} events verified"))
