import factory
from django.utils import timezone

from accounts.models import User
from procurement.models import OPD, Officer, Position
from vendors.models import LegalForm, MemberRole, Vendor, VendorMember, VendorStatus

PASSWORD = "rahasia-uji-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"pengguna{n}@contoh.id")
    full_name = factory.Faker("name", locale="id_ID")
    password = factory.django.Password(PASSWORD)


class AdminFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def admin_group(self, create, extracted, **kwargs):
        if create:
            from accounts.services import admin_group_ensure

            self.groups.add(admin_group_ensure())


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    name = factory.Sequence(lambda n: f"CV Usaha Maju {n}")
    legal_form = LegalForm.CV
    city = "Kota Jakarta Timur"
    province = "DKI Jakarta"
    status = VendorStatus.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)


class VendorMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VendorMember

    user = factory.SubFactory(UserFactory)
    vendor = factory.SubFactory(VendorFactory)
    role = MemberRole.OWNER


class OPDFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OPD

    code = factory.Sequence(lambda n: f"9.{n:02d}.01")
    name = factory.Sequence(lambda n: f"Dinas Uji {n}")
    short_name = factory.Sequence(lambda n: f"Uji{n}")


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    user = factory.SubFactory(UserFactory)
    opd = factory.SubFactory(OPDFactory)
    position = Position.PPK
