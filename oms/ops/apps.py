from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the system (issue 24): worker, scheduler, health, metrics, failed tasks.

    Top tier: the periodic jobs and the metrics read every app's work."""

    name = "oms.ops"
    label = "ops"

    def ready(self) -> None:
        from oms.ops import retries

        retries.connect()
