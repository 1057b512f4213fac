from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "anxin.supervision"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from anxin.core import hooks
        from anxin.notices.texts import SUBJECT_URLS, TEXTS
        from anxin.supervision import figures
        from anxin.supervision.texts import NOTICE_TEXTS

        # The desk's cases, below us, tell the public figures when they change.
        hooks.register(hooks.CASES_CHANGED, figures.cases_changed)
        # A seller's shown address or shop name, below us, is in its cases' records.
        hooks.register(hooks.SELLER_SHOWN_CHANGED, figures.seller_shown_changed)

        # Notices, below us, say what ours say and link to the complaint.
        TEXTS.update(NOTICE_TEXTS)
        SUBJECT_URLS["complaint"] = "/complaints/{number}"
        SUBJECT_URLS["mediation"] = "/mediations/{number}"
        SUBJECT_URLS["referral"] = "/referrals/{number}"
        SUBJECT_URLS["regulatoraction"] = "/supervision/actions/{number}"
        SUBJECT_URLS["datarequest"] = "/supervision/data-requests/{number}"
        SUBJECT_URLS["earlywarning"] = "/supervision/warnings/{number}"
