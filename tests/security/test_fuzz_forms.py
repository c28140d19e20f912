"""Every form of the portal, fed hostile data by hypothesis: `is_valid()` never raises, and
what it says is text a person can read (rendered, as the page would render it).

Forms are found by walking django.forms.BaseForm's subclasses defined in the project's
modules, so a new form is fuzzed without touching this file; one that needs constructor
arguments fails here until CONSTRUCTORS says how to build it."""

import traceback
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django import forms
from django.apps import apps
from django.test import RequestFactory
from django.utils.datastructures import MultiValueDict
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.models import Event, Need, Participant, Slot
from procurement.models import OPD, Package
from tests.security import fuzzing
from tests.security.world import World, build_world
from vendors.models import HalalAssistance, Product, Vendor


def _project_forms() -> dict[str, type[forms.BaseForm]]:
    fuzzing.import_project_modules()
    found: dict[str, type[forms.BaseForm]] = {}
    pending = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in fuzzing.PROJECT_PACKAGES:
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


@dataclass
class Objects:
    """The world's objects a form is built around."""

    world: World

    def get(self, model, key: str):
        return model.objects.get(pk=self.world.ids[key])

    @property
    def vendor(self) -> Vendor:
        return self.get(Vendor, "vendor_a")

    @property
    def opd(self) -> OPD:
        return self.get(OPD, "opd")

    @property
    def event(self) -> Event:
        return self.get(Event, "event")


# How to build each form that needs more than data and files. A callable of Objects giving the
# keyword arguments (an instance for a change form, the vendor or OPD the form is scoped to).
CONSTRUCTORS: dict[str, Callable[[Objects], dict]] = {
    "accounts.forms.LoginForm": lambda o: {"request": RequestFactory().post("/akun/masuk/")},
    "accounts.admin.UserEditForm": lambda o: {"instance": o.world.users["owner"]},
    "vendors.forms.VendorEditForm": lambda o: {"vendor": o.vendor},
    "vendors.forms.TKDNCertificateForm": lambda o: {"vendor": o.vendor},
    "vendors.forms.HalalCertificateForm": lambda o: {"vendor": o.vendor},
    "vendors.forms.ProductForm": lambda o: {"instance": o.get(Product, "public_product")},
    "vendors.directory.DirectoryFilterForm": lambda o: {"cities": ["Kota Jakarta Timur"]},
    "vendors.admin.VendorAdminForm": lambda o: {"instance": o.vendor},
    "vendors.admin.HalalAssistanceAdminForm": lambda o: {
        "instance": o.get(HalalAssistance, "assistance")
    },
    "vendors.admin.TKDNCertificateAdminForm": lambda o: {
        "instance": o.vendor.tkdn_certificates.first()
    },
    "vendors.admin.HalalCertificateAdminForm": lambda o: {
        "instance": o.vendor.halal_certificates.first()
    },
    "procurement.forms.PackageForm": lambda o: {
        "opd": o.opd,
        "package": o.get(Package, "draft_package"),
    },
    "procurement.forms.PackageFilterForm": lambda o: {"opds": OPD.objects.all()},
    "procurement.forms.VerdictForm": lambda o: {
        "requirements": o.get(Package, "evaluated_package").requirements.all()
    },
    "procurement.forms.BidForm": lambda o: {
        "items": o.get(Package, "announced_package").items.all(),
        "products": o.vendor.products.filter(is_active=True),
    },
    "matching.forms.ExhibitorApplyForm": lambda o: {"products": o.vendor.products.all()},
    "matching.forms.NeedForm": lambda o: {"opd": o.opd, "instance": o.get(Need, "need_a")},
    "matching.forms.AvailabilityForm": lambda o: {"slots": Slot.objects.filter(event=o.event)},
    "matching.forms.MeetingRequestForm": lambda o: {"buyer": o.get(Participant, "buyer_a")},
    "matching.forms_event_day.OutcomeForm": lambda o: {
        "products": Product.objects.all(),
        "packages": Package.objects.filter(opd=o.opd),
    },
    "matching.forms_event_day.CheckInForm": lambda o: {
        "participants": Participant.objects.filter(event=o.event)
    },
    "matching.forms_event_day.SheetDayForm": lambda o: {
        "days": [d.day for d in o.event.days.all()]
    },
    "matching.admin.ParticipantAdminForm": lambda o: {
        "instance": o.get(Participant, "exhibitor_a")
    },
}
# Base classes that are never used as they are; their subclasses are fuzzed.
ABSTRACT = {
    "vendors.forms._CertificateForm": "TKDNCertificateForm and HalalCertificateForm",
    "vendors.admin.CertificateAdminForm": "TKDN- and HalalCertificateAdminForm",
}


def _known_values(field: forms.Field) -> list[str]:
    """The values a field would accept (choices, ids): hostile values mixed with real ones
    reach the deeper checks (clean() across fields, services)."""
    choices = getattr(field, "choices", None)
    if choices is None:
        return []
    values = []
    for value, _label in list(choices)[:20]:
        if isinstance(_label, list | tuple):  # an optgroup
            values.extend(str(v) for v, _ in _label)
        else:
            values.append(str(getattr(value, "value", value)))
    return [v for v in values if v] or []


@st.composite
def _form_input(draw, form: forms.BaseForm):
    data, files = MultiValueDict(), MultiValueDict()
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if draw(st.integers(0, 9)) == 0:
            continue  # a field left out of the request entirely
        if isinstance(field, forms.FileField):
            files.setlist(key, draw(fuzzing.uploads()))
        else:
            data.setlist(key, draw(fuzzing.field_values(_known_values(field))))
    for junk in draw(
        st.lists(st.sampled_from(["csrfmiddlewaretoken", "id", "pk", "__all__", "x"]))
    ):
        data.setlist(junk, draw(fuzzing.field_values()))
    return data, files


def _check(form_class: type[forms.BaseForm], kwargs: dict, data, files) -> None:
    form = form_class(data=data, files=files, **kwargs)
    form.is_valid()
    for field, errors in form.errors.get_json_data().items():
        assert field == "__all__" or field in form.fields, field
        for error in errors:
            assert isinstance(error["message"], str) and error["message"].strip(), error
    # The page shows the form again with its errors: rendering must not fail either.
    form.render()


def _fuzz(form_class: type[forms.BaseForm], kwargs_for: Callable[[], dict]) -> None:
    sample = form_class(**kwargs_for())

    @settings(fuzzing.FUZZ, max_examples=fuzzing.FORM_EXAMPLES)
    @given(st.data())
    def run(data):
        fields, files = data.draw(_form_input(sample))
        _check(form_class, kwargs_for(), fields, files)

    run()


def test_the_constructor_table_names_only_existing_forms():
    found = _project_forms()
    assert not set(CONSTRUCTORS) - set(found), "CONSTRUCTORS names a form that is gone"
    assert not set(ABSTRACT) - set(found), "ABSTRACT names a form that is gone"


@pytest.mark.django_db
def test_no_form_fails_on_any_input():
    """One world for all forms (it takes a few seconds to build); every form is fuzzed and
    every failure is reported, with the falsifying example hypothesis found."""
    world = build_world()
    fuzzing.complete_ids(world)
    objects = Objects(world)
    failures = []
    for name, form_class in sorted(_project_forms().items()):
        if name in ABSTRACT:
            continue
        constructor = CONSTRUCTORS.get(name, lambda o: {})

        def kwargs_for(constructor=constructor):
            return constructor(objects)

        try:
            form_class(**kwargs_for())
        except Exception as error:
            failures.append(
                f"{name}: cannot be constructed ({error!r}); add it to CONSTRUCTORS in {__name__}."
            )
            continue
        try:
            _fuzz(form_class, kwargs_for)
        except Exception as error:
            failures.append(f"{name}:\n" + "".join(traceback.format_exception(error)))
    assert not failures, "\n\n".join(failures)


def test_every_constraint_message_renders():
    """Django formats a constraint's message with `%` (found by the fuzzing above: a BMP of
    -1 in the admin was a server error, "BMP harus antara 0 dan 15%" being no format)."""
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            assert constraint.get_violation_error_message().strip()
