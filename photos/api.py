"""``/api/listings/{id}/photos/``: list, upload (multipart ``file``, one or more),
reorder (``{order: [ids]}``) and delete a listing's photos. Another user's listing
or photo is a 404, and so are its files."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.request import Request
from rest_framework.response import Response

from listings.api.base import ERRORS
from listings.selectors import listing_get_for_user
from listings.validation import clean_listing_ids
from marketplace.api_input import valid_body
from marketplace.parsers import FormParser, JSONParser, MultiPartParser
from marketplace.ratelimits import rate_limited
from photos import links, selectors, services
from photos.serializers import (
    BulkAttachSerializer,
    BulkUploadSerializer,
    PhotoBulkSerializer,
    PhotoLinksActionSerializer,
    PhotoLinksSerializer,
    PhotoOrderSerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
)


def _photos(request: Request, listing) -> Response:
    photos = selectors.photos_of_listing(listing)
    return Response(PhotoSerializer(photos, many=True, context={"request": request}).data)


@extend_schema(
    methods=["GET"], operation_id="listing_photos_list", responses={200: PhotoSerializer(many=True), **ERRORS}
)
@extend_schema(
    methods=["POST"],
    operation_id="listing_photos_upload",
    request={"multipart/form-data": PhotoUploadSerializer},
    responses={201: PhotoSerializer(many=True), **ERRORS},
)
@extend_schema(
    methods=["PATCH"],
    operation_id="listing_photos_reorder",
    request=PhotoOrderSerializer,
    responses={200: PhotoSerializer(many=True), **ERRORS},
)
@api_view(["GET", "POST", "PATCH"])
@parser_classes([JSONParser, MultiPartParser, FormParser])
def listing_photos(request: Request, pk: int) -> Response:
    listing = listing_get_for_user(request.user, pk)
    if request.method == "GET":
        return _photos(request, listing)
    if request.method == "PATCH":
        order = valid_body(PhotoOrderSerializer, request)["order"]
        services.photos_reorder(listing=listing, order=order, actor=request.user)
        return _photos(request, listing)
    upload = PhotoUploadSerializer(data=request.data)
    upload.is_valid(raise_exception=True)
    photos = services.photos_add(listing=listing, uploads=upload.validated_data["file"], actor=request.user)
    return Response(
        PhotoSerializer(photos, many=True, context={"request": request}).data, status=status.HTTP_201_CREATED
    )


@extend_schema(operation_id="listing_photo_delete", responses={204: None, **ERRORS})
@api_view(["DELETE"])
def listing_photo(request: Request, pk: int, photo_id: int) -> Response:
    photo = selectors.photo_get_for_user(request.user, pk, photo_id)
    services.photo_delete(photo=photo, actor=request.user)
    return Response(status=status.HTTP_204_NO_CONTENT)


def _links_state(request: Request) -> dict:
    link_key = links.link_key_object(request.user)
    state = {"published": link_key is not None, "since": link_key.created_at if link_key else None}
    if ids := request.query_params.get("listings"):
        chosen = clean_listing_ids([part for part in ids.split(",") if part.strip()], "listings")
        # Only the user's own listings have links: another's id finds none.
        urls = links.published_photo_urls(request.user, chosen, base_url=request.build_absolute_uri("/"))
        state["links"] = {str(listing_id): urls.get(listing_id, []) for listing_id in chosen}
    return state


@extend_schema(
    methods=["GET"],
    operation_id="photo_links_read",
    parameters=[
        OpenApiParameter("listings", str, description="Listing ids, comma-separated: their photo links too.")
    ],
    responses={200: PhotoLinksSerializer, **ERRORS},
)
@extend_schema(
    methods=["POST"],
    operation_id="photo_links_change",
    request=PhotoLinksActionSerializer,
    responses={200: PhotoLinksSerializer, **ERRORS},
)
@api_view(["GET", "POST"])
@parser_classes([JSONParser])
def photo_links(request: Request) -> Response:
    """Whether the seller's photo links are published; publish them, revoke them all
    (every earlier URL stops working, each photo gets a new one) or stop publishing:
    the *Photo links* page's operations."""
    if request.method == "POST":
        action = valid_body(PhotoLinksActionSerializer, request)["action"]
        services.PHOTO_LINK_WRITES[action](owner=request.user)
    # A bad ``listings`` is InvalidInput: a 400 naming the parameter (marketplace.api).
    return Response(PhotoLinksSerializer(_links_state(request)).data)


urlpatterns = [
    path("photos/links/", photo_links, name="api-photo-links"),
    path("listings/<int:pk>/photos/", listing_photos, name="api-listing-photos"),
    path("listings/<int:pk>/photos/<int:photo_id>/", listing_photo, name="api-listing-photo"),
]


@extend_schema(
    operation_id="photo_bulk_create",
    request={"multipart/form-data": BulkUploadSerializer},
    responses={201: PhotoBulkSerializer, **ERRORS},
)
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
@rate_limited("uploads")
def photo_bulks(request: Request) -> Response:
    upload = BulkUploadSerializer(data=request.data)
    upload.is_valid(raise_exception=True)
    created = services.photo_bulk_create(owner=request.user, uploads=upload.validated_data["files"])
    bulk = selectors.photo_bulk_get_for_user(request.user, created.pk)
    return Response(
        PhotoBulkSerializer(bulk, context={"request": request}).data, status=status.HTTP_201_CREATED
    )


@extend_schema(
    methods=["GET"], operation_id="photo_bulk_read", responses={200: PhotoBulkSerializer, **ERRORS}
)
@extend_schema(methods=["DELETE"], operation_id="photo_bulk_discard", responses={204: None, **ERRORS})
@api_view(["GET", "DELETE"])
def photo_bulk(request: Request, bulk_id: int) -> Response:
    bulk = selectors.photo_bulk_get_for_user(request.user, bulk_id)
    if request.method == "DELETE":
        services.photo_bulk_discard(upload=bulk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
    return Response(PhotoBulkSerializer(bulk, context={"request": request}).data)


@extend_schema(
    operation_id="photo_bulk_attach",
    request=BulkAttachSerializer,
    responses={201: PhotoSerializer(many=True), **ERRORS},
)
@api_view(["POST"])
@parser_classes([JSONParser])
def photo_bulk_attach(request: Request, bulk_id: int) -> Response:
    bulk = selectors.photo_bulk_get_for_user(request.user, bulk_id)
    body = valid_body(BulkAttachSerializer, request)
    choices = {choice["file"]: choice["listing"] for choice in body.get("choices", [])}
    photos = services.photo_bulk_attach(upload=bulk, actor=request.user, choices=choices)
    return Response(
        PhotoSerializer(photos, many=True, context={"request": request}).data, status=status.HTTP_201_CREATED
    )


urlpatterns += [
    path("photos/bulk/", photo_bulks, name="api-photo-bulks"),
    path("photos/bulk/<int:bulk_id>/", photo_bulk, name="api-photo-bulk"),
    path("photos/bulk/<int:bulk_id>/attach/", photo_bulk_attach, name="api-photo-bulk-attach"),
]
