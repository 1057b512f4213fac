"""Every page's address, in one namespace ("web:"): the shell's own here, each app's from its
urls.py. The after-sales and review patterns come before the order's, whose last pattern
(orders/<number>/<action>) would otherwise take their actions."""

from django.urls import include, path

from anxin.sms import views as sms_views
from anxin.web import account_views, law_views, media, regions, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("check/<str:what>", views.check, name="check"),
    path("regions/picker", regions.region_picker, name="region_picker"),
    path("login/", account_views.login_view, name="login"),
    path("login/phone", account_views.phone_login, name="phone_login"),
    path("login/verify", account_views.login_2fa, name="login_2fa"),
    path("login/enrol", account_views.login_enrol, name="login_enrol"),
    path("sandbox/sms", sms_views.sandbox_codes, name="sandbox_sms"),
    path("logout/", account_views.logout_view, name="logout"),
    path("signup/", account_views.signup, name="signup"),
    path("account/", account_views.account, name="account"),
    path("account/password", account_views.password_change, name="password_change"),
    path("account/phone", account_views.phone_add, name="phone_add"),
    path("account/backup-codes", account_views.backup_codes_renew, name="backup_codes"),
    path("account/addresses", account_views.address_add, name="address_add"),
    path(
        "account/addresses/<id:address_id>/default",
        account_views.address_default,
        name="address_default",
    ),
    path(
        "account/addresses/<id:address_id>/delete",
        account_views.address_delete,
        name="address_delete",
    ),
    path("account/tokens/<id:token_id>/revoke", account_views.token_revoke, name="token_revoke"),
    path("account/tokens/revoke", account_views.tokens_revoke_all, name="tokens_revoke_all"),
    path(
        "account/sign-out-everywhere",
        account_views.sign_out_everywhere,
        name="sign_out_everywhere",
    ),
    path("password-reset/", account_views.password_reset, name="password_reset"),
    path(
        "password-reset/<str:uid>/<str:token>/",
        account_views.password_reset_link,
        name="password_reset_link",
    ),
    path(
        "password-reset/<str:uid>/set-password",
        account_views.password_reset_set,
        name="password_reset_set",
    ),
    path(
        "orders/<str:number>/attachments/<id:attachment_id>",
        media.order_attachment,
        name="order_attachment",
    ),
    path("s/<id:seller_id>/documents/verification", media.seller_document, name="seller_document"),
    path(
        "s/<id:seller_id>/documents/licences/<id:licence_id>",
        media.seller_document,
        name="licence_document",
    ),
    path("seller/", views.seller_home, name="seller_home"),
    path("desk/", views.staff_home, name="staff_home"),
    path("desk/dashboard", views.staff_dashboard, name="staff_dashboard"),
    path("notices/", views.notifications, name="notifications"),
    path("law/", law_views.law_index, name="law"),
    path("law/<str:statute_id>/", law_views.law_statute, name="law_statute"),
    path(
        "law/<str:statute_id>/<str:version>/",
        law_views.law_statute,
        name="law_statute_version",
    ),
    path("", include("anxin.aftersales.urls")),
    path("", include("anxin.reputation.urls")),
    path("", include("anxin.orders.urls")),
    path("", include("anxin.catalog.urls")),
    path("", include("anxin.sellers.urls")),
    path("", include("anxin.disputes.urls")),
    path("", include("anxin.reconcile.urls")),
    path("", include("anxin.payouts.urls")),
    path("", include("anxin.supervision.urls")),
]
