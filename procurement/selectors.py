from django.db.models import QuerySet

from procurement.models import OPD, Officer


def opd_officers(*, opd: OPD) -> QuerySet[Officer]:
    return opd.officers.select_related("user").order_by("position", "user__full_name")
