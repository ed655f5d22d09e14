from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from oms.ops.worker import Heartbeat


class Command(DbWorkerCommand):
    help = (
        "Run background tasks from the database queue (OMS_TASKS_BACKEND=database), beating a heart "
        "every OMS_WORKER_HEARTBEAT_SECONDS; start as many as you like on any node (issue 24.2)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        heartbeat = Heartbeat(options["worker_id"])
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
