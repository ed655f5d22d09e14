from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Generated documentation (top tier: it reads every app's transition tables)."""

    name = "oms.devtools"
    label = "devtools"
