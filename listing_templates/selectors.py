"""Reads of listing templates, always scoped to a user."""

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from listing_templates.models import ListingTemplate


def templates_visible_to(user: User) -> QuerySet[ListingTemplate]:
    return ListingTemplate.objects.filter(Q(owner=user) | Q(is_public=True))


def template_get_for_user(user: User, pk: Any, *, writable: bool = False) -> ListingTemplate:
    """A template the user may use (theirs or public), or only theirs if ``writable``."""
    queryset = ListingTemplate.objects.filter(owner=user) if writable else templates_visible_to(user)
    return get_object_or_404(queryset, pk=pk)
