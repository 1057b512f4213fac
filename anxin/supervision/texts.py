"""What the supervision app's notices say (registered with notices.texts in apps.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

NOTICE_TEXTS = {
    "complaint_received": gettext_lazy(
        "Complaint {number} has come to your office. Decide whether to accept it by {due}."
    ),
    "complaint_admitted": gettext_lazy("Complaint {number} has been accepted by the regulator."),
    "complaint_refused": gettext_lazy(
        "Complaint {number} was not accepted. Its page gives the reasons and the other ways "
        "to settle the dispute."
    ),
    "complaint_withdrawn": gettext_lazy("Complaint {number} has been withdrawn."),
    "complaint_overdue": gettext_lazy(
        "Complaint {number}: the time to decide whether to accept it has passed. Decide now."
    ),
    "mediation_opened": gettext_lazy(
        "Mediation {number} has come to your association. Contact both parties."
    ),
    "mediation_started": gettext_lazy(
        "Mediation {number}: the consumer association will mediate. It is free of charge."
    ),
    "mediation_ended": gettext_lazy("Mediation {number} has ended. Its page gives the outcome."),
    "referral_received": gettext_lazy(
        "Referral {number} from the consumer association: look into it and answer by {due}."
    ),
    "referral_answered": gettext_lazy("Referral {number}: the regulator has answered."),
    "referral_overdue": gettext_lazy(
        "Referral {number}: the time to answer the consumer association has passed."
    ),
    "regulator_interview": gettext_lazy(
        "The market regulator has recorded an interview with your shop ({number})."
    ),
    "regulator_warning": gettext_lazy(
        "The market regulator has given your shop a warning ({number})."
    ),
    "regulator_correction": gettext_lazy(
        "The market regulator orders your shop to correct ({number}) by {due}. Say what you "
        "did on its page."
    ),
    "regulator_corrected": gettext_lazy("The seller says it has corrected ({number})."),
    "regulator_correction_defaulted": gettext_lazy(
        "The order to correct {number} was not answered in time: it is recorded as not corrected."
    ),
    "regulator_penalty": gettext_lazy(
        "The market regulator has decided a penalty on your shop ({number}): a fine of "
        "{amount} yuan."
    ),
    "regulator_penalty_published": gettext_lazy(
        "The penalty decision {number} is now published on the public penalties page."
    ),
    "regulator_publication_overdue": gettext_lazy(
        "Penalty decision {number}: the time to publish it has passed. Publish it now."
    ),
    "data_request_made": gettext_lazy(
        "A market regulator asks for a seller's data ({number}). Answer by {due}."
    ),
    "data_request_answered": gettext_lazy("The platform has answered data request {number}."),
    "data_request_overdue": gettext_lazy("Data request {number}: the time to answer has passed."),
    "early_warning": gettext_lazy(
        "Early warning {number}: a seller's complaints have risen sharply ({count} in the last "
        "days)."
    ),
}
