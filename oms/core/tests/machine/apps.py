from django.apps import AppConfig


class MachineConfig(AppConfig):
    name = "oms.core.tests.machine"
    label = "machine"
