import datetime

import factory
from django.contrib.auth.models import User

from org.models import County, Period, Township
from reading.completeness import missing_parts
from reading.sections import SECTION_KEYS
from reports.models import Report


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("province", "name")

    province = "河南省"
    city = "周口市"
    name = factory.Sequence(lambda n: f"测试县{n}")


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township
        django_get_or_create = ("county", "name")

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"测试镇{n}")
    kind = Township.Kind.ZHEN


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period
        django_get_or_create = ("year",)

    year = 2023
    deadline = factory.LazyAttribute(lambda p: datetime.date(p.year + 1, 2, 28))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("demo1234")


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    township = factory.SubFactory(TownshipFactory)
    period = factory.SubFactory(PeriodFactory)
    # Stored as the services store it, from whatever parts the test gives.
    missing_parts = factory.LazyAttribute(
        lambda o: missing_parts({key: getattr(o, key, "") for key in SECTION_KEYS})
    )
