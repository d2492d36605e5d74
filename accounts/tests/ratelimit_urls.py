"""The site's URLs plus stand-ins for the upload and export endpoints other apps own,
decorated the way those apps will be, for the rate-limit tests."""

from django.http import HttpResponse
from django.urls import path
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.ratelimits import rate_limited
from marketplace.urls import urlpatterns as site_urlpatterns


@rate_limited("uploads")
def upload_page(request):
    return HttpResponse("stored" if request.method == "POST" else "form")


@api_view(["POST"])
@permission_classes([AllowAny])
@rate_limited("uploads")
def upload_api(request):
    return Response({"stored": True}, status=201)


class ExportApi(APIView):
    permission_classes = [AllowAny]

    @rate_limited("exports")
    def get(self, request):
        return Response({"rows": 0})


@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def ping_api(request):
    return Response({"pong": True})


urlpatterns = [
    *site_urlpatterns,
    path("test/upload/", upload_page),
    path("api/test/upload/", upload_api),
    path("api/test/export/", ExportApi.as_view()),
    path("api/test/ping/", ping_api),
]
