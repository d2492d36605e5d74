from decimal import Decimal

import factory

from accounts.tests.factories import UserFactory
from listings.models import Condition, Listing, ListingTemplate


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Oak dining chair {n}")
    price = Decimal("45.00")
    condition = Condition.USED_GOOD
    description = "Solid oak, small scratch on the left leg."
    category = "Furniture//Dining Room Furniture//Dining Chairs"
    offer_shipping = False


class ListingTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListingTemplate

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Template {n}")
    defaults = factory.LazyFunction(lambda: {"condition": "New", "offer_shipping": True})
