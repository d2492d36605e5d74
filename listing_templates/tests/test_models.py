"""What the database itself enforces, bypassing the services on purpose."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from listing_templates.models import ListingTemplate
from listings.tests.factories import ListingTemplateFactory

pytestmark = pytest.mark.django_db


def test_template_names_are_unique_per_owner(owner, other_user):
    ListingTemplateFactory(owner=owner, name="Furniture")
    ListingTemplateFactory(owner=other_user, name="Furniture")
    with pytest.raises(IntegrityError), transaction.atomic():
        ListingTemplate.objects.create(owner=owner, name="Furniture")


def test_template_clean_rejects_non_listing_fields(owner):
    template = ListingTemplate(owner=owner, name="Bad", defaults={"colour": "red"})
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    assert caught.value.message_dict["defaults"] == ["colour: Not a listing field."]
