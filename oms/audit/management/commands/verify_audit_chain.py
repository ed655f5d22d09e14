from typing import Any

from django.core.management.base import BaseCommand, CommandError

from oms.audit.verify import verify_chain


class Command(BaseCommand):
    help = (
        "Verify the audit log's keyed hash chain against the anchors kept outside the database and "
        "report the first break, naming what is missing (S-2); also the archive's access log."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            where = f"broken at event {report.broken_at}: " if report.broken_at is not None else "broken: "
            raise CommandError(
                f"audit chain {where}{'; '.join(report.problems)} ({report.checked} events verified before it)"
            )
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {report.summary()}"))
