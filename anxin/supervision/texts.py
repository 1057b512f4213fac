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
}
