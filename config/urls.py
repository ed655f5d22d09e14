from django.urls import include, path
from django.views.i18n import set_language

from config.api import api

urlpatterns = [
    # Issue 21: first, so that an API call is not tried against every page's pattern before its
    # own (/api/orders/ resolved in 70 µs behind the 250 page patterns, 15 µs first); no page's
    # path starts with api/.
    path("api/", api.urls),
    path("", include("oms.web.urls")),
    path("accounts/", include("oms.web.accounts.urls")),
    path("master/", include("oms.customers.urls")),
    path("master/", include("oms.catalog.urls")),
    path("master/", include("oms.partners.urls")),
    path("", include("oms.workbench.urls")),
    path("", include("oms.intake.urls")),
    path("policy/", include("oms.policy.urls")),
    path("inbox/", include("oms.web.notifications.urls")),
    path("", include("oms.review.urls")),
    path("", include("oms.contracts.urls")),
    path("", include("oms.tracking.urls")),
    path("", include("oms.fulfilment.urls")),
    path("", include("oms.quality.urls")),
    path("", include("oms.changes.urls")),
    path("", include("oms.delivery.urls")),
    path("", include("oms.billing.urls")),
    path("", include("oms.feedback.urls")),
    path("archive/", include("oms.archive.urls")),
    path("supervision/", include("oms.supervision.urls")),
    path("analytics/", include("oms.analytics.urls")),
    path("audit/", include("oms.web.audit.urls")),
    path("portal/", include("oms.portal.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("oms.ops.urls")),  # issue 24: probes, metrics, the system page
]

handler400 = "oms.web.views.bad_request"
handler404 = "oms.web.views.not_found"
handler403 = "oms.web.views.forbidden"
