"""The open complaint channel's pages, in the web shell's namespace like every page."""

from django.urls import path

from anxin.supervision import views

urlpatterns = [
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/new", views.complaint_new, name="complaint_new"),
    path("complaints/<str:number>", views.complaint_page, name="complaint"),
    path("complaints/<str:number>/files/<id:file_id>", views.complaint_file, name="complaint_file"),
    path("complaints/<str:number>/<str:action>", views.complaint_act, name="complaint_act"),
    path("figures/", views.figures_statistics, name="figures"),
    path("figures/sellers/<id:seller_id>", views.figures_seller, name="figures_seller"),
    path("figures/reply", views.figures_reply, name="figures_reply"),
    path("figures/data/<str:name>", views.figures_data, name="figures_data"),
]
