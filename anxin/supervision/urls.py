"""The open complaint channel's pages and a regulator's, in the web shell's namespace like
every page."""

from django.urls import path

from anxin.supervision import mediation_views as mv
from anxin.supervision import regulator_views as rv
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
    path("supervision/", rv.office_page, name="supervision"),
    path("supervision/actions/new", rv.action_new, name="regulator_action_new"),
    path("supervision/actions/<str:number>", rv.action_page, name="regulator_action"),
    path(
        "supervision/actions/<str:number>/files/<id:file_id>",
        rv.action_file,
        name="regulator_action_file",
    ),
    path(
        "supervision/actions/<str:number>/<str:action>", rv.action_act, name="regulator_action_act"
    ),
    path("supervision/data-requests/new", rv.data_request_new, name="data_request_new"),
    path("supervision/data-requests/<str:number>", rv.data_request_page, name="data_request"),
    path(
        "supervision/data-requests/<str:number>/answer",
        rv.data_request_answer,
        name="data_request_answer",
    ),
    path(
        "supervision/data-requests/<str:number>/file",
        rv.data_request_file,
        name="data_request_file",
    ),
    path("supervision/warnings/<str:number>", rv.warning_page, name="early_warning"),
    path("penalties/", rv.penalties_public, name="penalties"),
]
