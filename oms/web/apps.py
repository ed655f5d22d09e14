from django.apps import AppConfig


class WebConfig(AppConfig):
    """The web shell (issue 22, point 1): base templates ("core/base.html" keeps its name), template
    tags, middleware, the list/form machinery and CRUD API factory every app's pages use, the home
    and help pages, and the pages of tier 0 (users, audit log, inbox). It sits on top of tier 0, so
    the kernel below it knows nothing of HTTP pages."""

    name = "oms.web"
    label = "web"
