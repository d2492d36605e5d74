"""Reading a seller's catalog feeds, for the page and the API alike."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from feeds.models import Feed


def feeds_for_user(user: User) -> QuerySet[Feed]:
    return Feed.objects.filter(owner=user)


def feed_get_for_user(user: User, pk: int) -> Feed:
    """The user's feed ``pk``; another user's feed is a 404, as a missing one is."""
    return get_object_or_404(feeds_for_user(user), pk=pk)
