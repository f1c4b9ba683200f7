from django.urls import path

from . import content_views, pwa_views, views

app_name = "repository"

urlpatterns = [
    path("", views.library, name="library"),
    path("<int:pk>/", views.publication_detail, name="publication_detail"),
    path("<int:pk>/download/", views.publication_download, name="publication_download"),
    path("<int:pk>/offline/", views.publication_offline, name="publication_offline"),
    path("<int:pk>/offline/files/", pwa_views.publication_offline_files, name="publication_offline_files"),
    path("saved/", pwa_views.offline_saved, name="offline_saved"),
    path("school/", views.school_library, name="my_school_library"),
    path("school/<int:pk>/", views.school_library, name="school_library"),
    path("coverage/<int:pk>/", views.coverage_view, name="coverage"),
    path("preview/<str:token>/", views.preview_part, name="preview_part"),
    path("content/<str:token>/<path:relpath>", content_views.content_view, name="content"),
]
