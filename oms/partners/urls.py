from oms.partners import views
from oms.web.listing import urls_for

app_name = "partners"
urlpatterns = [*urls_for(views.SUPPLIER_SPEC, "suppliers"), *urls_for(views.CARRIER_SPEC, "carriers")]
