from nokor.cyber.urls_check import check_urlpatterns
from nokor.cyber.urls_report import report_urlpatterns

app_name = "cyber"
urlpatterns = [*report_urlpatterns, *check_urlpatterns]
