"""The operator's endpoints: health (for probes) and metrics (for Prometheus)."""

from django.urls import path

from anxin.ops import metrics
from anxin.ops.health import HealthView

app_name = "ops"
urlpatterns = [
    path("health/", HealthView.as_view(), name="health"),
    path("metrics", metrics.metrics, name="metrics"),
]
