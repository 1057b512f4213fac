from django.urls import include, path

from anxin.api.api import api

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("anxin.payments.urls")),
    path("", include("anxin.evidence.urls")),
    path("", include("anxin.web.urls")),
]
