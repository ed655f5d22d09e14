import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Issue 21: what every request uses (Django, the apps, every URL pattern with its views and API
# routers) is loaded once, here, and then moved out of the collector's generations: a full
# collection during a request no longer walks those objects (bench/RESULTS.md, round 4: a full
# collection 58 ms → under 0.1 ms with the application loaded). Objects made later are collected
# as before.
get_resolver().url_patterns  # noqa: B018 (loads the URLconf, as the first request would)
gc.freeze()
