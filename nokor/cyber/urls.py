from nokor.cyber.urls_check import check_urlpatterns
from nokor.cyber.urls_evidence import evidence_urlpatterns
from nokor.cyber.urls_report import report_urlpatterns
from nokor.cyber.urls_staff import staff_urlpatterns
from nokor.cyber.urls_stats import stats_urlpatterns

app_name = "cyber"
urlpatterns = [
    *report_urlpatterns,
    *check_urlpatterns,
    *staff_urlpatterns,
    *evidence_urlpatterns,
    *stats_urlpatterns,
]
