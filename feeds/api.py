"""``/api/feeds/``: list, create and revoke the seller's catalog feeds, through the
services of the *Catalog feeds* page. Another user's feed is a 404."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.request import Request
from rest_framework.response import Response

from feeds import services
from feeds.selectors import feed_get_for_user, feeds_for_user
from feeds.serializers import FeedCreateSerializer, FeedSerializer
from listings.api.base import ERRORS
from marketplace.api_input import valid_body
from marketplace.parsers import JSONParser


@extend_schema(methods=["GET"], operation_id="feeds_list", responses={200: FeedSerializer(many=True)})
@extend_schema(
    methods=["POST"],
    operation_id="feeds_create",
    request=FeedCreateSerializer,
    responses={201: FeedSerializer, **ERRORS},
)
@api_view(["GET", "POST"])
@parser_classes([JSONParser])
def feeds(request: Request) -> Response:
    if request.method == "GET":
        mine = feeds_for_user(request.user)
        return Response(FeedSerializer(mine, many=True, context={"request": request}).data)
    body = valid_body(FeedCreateSerializer, request)
    feed = services.feed_create(owner=request.user, export_format=body["export_format"], query=body["query"])
    return Response(FeedSerializer(feed, context={"request": request}).data, status=status.HTTP_201_CREATED)


@extend_schema(methods=["GET"], operation_id="feed_read", responses={200: FeedSerializer, **ERRORS})
@extend_schema(methods=["DELETE"], operation_id="feed_revoke", responses={204: None, **ERRORS})
@api_view(["GET", "DELETE"])
def feed(request: Request, pk: int) -> Response:
    """Revoking a feed deletes it: its URL answers 404 from then on."""
    mine = feed_get_for_user(request.user, pk)
    if request.method == "DELETE":
        services.feed_revoke(feed=mine, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    return Response(FeedSerializer(mine, context={"request": request}).data)


urlpatterns = [
    path("feeds/", feeds, name="api-feeds"),
    path("feeds/<int:pk>/", feed, name="api-feed"),
]
