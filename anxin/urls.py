from django.urls import include, path

from anxin.api.api import api
from anxin.web import media

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Health (/health/) and Prometheus metrics (/metrics): README, "Production".
    path("", include("anxin.ops.urls")),
    # Uploaded files in every mode, not only with DEBUG: only the public ones by path.
    path("media/<path:path>", media.public_file, name="media"),
    path("", include("anxin.payments.urls")),
    path("", include("anxin.evidence.urls")),
    path("", include("anxin.web.urls")),
]
