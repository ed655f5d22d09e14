from typing import Any

from django.core.management.base import BaseCommand

from oms.devtools.diagrams import write


class Command(BaseCommand):
    help = "Write the state-machine diagrams of docs/state-machines/ from the transition tables."

    def handle(self, *args: Any, **options: Any) -> None:
        for path in write():
            self.stdout.write(str(path))
