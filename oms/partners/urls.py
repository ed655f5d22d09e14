from oms.core.listing import urls_for
from oms.partners import views

app_name = "partners"
urlpatterns = [*urls_for(views.SUPPLIER_SPEC, "suppliers"), *urls_for(views.CARRIER_SPEC, "carriers")]
