"""The dispute desk's pages, in the web shell's namespace like every page."""

from django.urls import path

from anxin.disputes import views

urlpatterns = [
    path("disputes/", views.disputes, name="disputes"),
    path("disputes/new/", views.dispute_new, name="dispute_new"),
    path("disputes/new/view", views.dispute_filing_view, name="dispute_filing_view"),
    path("disputes/<str:number>/", views.dispute, name="dispute"),
    path("disputes/<str:number>/bundle.zip", views.dispute_bundle, name="dispute_bundle"),
    path("disputes/<str:number>/files/<id:evidence_id>", views.dispute_file, name="dispute_file"),
    path("disputes/<str:number>/<str:action>", views.dispute_action, name="dispute_action"),
    path("guarantee/", views.guarantee, name="guarantee"),
]
