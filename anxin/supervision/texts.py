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
}
