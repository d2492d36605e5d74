from django.urls import path

from feeds import views

app_name = "feeds"
urlpatterns = [
    path("", views.feeds_page, name="feeds"),
    path("<int:pk>/revoke/", views.feed_revoke, name="revoke"),
    path("<str:token>/<str:export_format>.csv", views.feed_file, name="file"),
]
