"""The open complaint channel's pages, in the web shell's namespace like every page."""

from django.urls import path

from anxin.supervision import mediation_views as mv
from anxin.supervision import views

urlpatterns = [
    path("complaints/", views.complaint_list, name="complaints"),
    path("desk/organisations", views.organisations, name="organisations"),
    path("complaints/new", views.complaint_new, name="complaint_new"),
    path("complaints/<str:number>", views.complaint_page, name="complaint"),
    path("complaints/<str:number>/files/<id:file_id>", views.complaint_file, name="complaint_file"),
    path("complaints/<str:number>/<str:action>", views.complaint_act, name="complaint_act"),
    path("mediations/", mv.mediation_list, name="mediations"),
    path("mediations/start", mv.mediation_start, name="mediation_start"),
    path("mediations/<str:number>", mv.mediation_page, name="mediation"),
    path(
        "mediations/<str:number>/package/<str:route>",
        mv.mediation_package,
        name="mediation_package",
    ),
    path("mediations/<str:number>/<str:action>", mv.mediation_act, name="mediation_act"),
    path("referrals/new", mv.referral_new, name="referral_new"),
    path("referrals/<str:number>", mv.referral_page, name="referral"),
    path("typical-cases/", mv.typical_cases, name="typical_cases"),
    path("typical-cases/new", mv.typical_case_new, name="typical_case_new"),
    path("figures/", views.figures_statistics, name="figures"),
    path("figures/sellers/<id:seller_id>", views.figures_seller, name="figures_seller"),
    path("figures/reply", views.figures_reply, name="figures_reply"),
    path("figures/data/<str:name>", views.figures_data, name="figures_data"),
]
