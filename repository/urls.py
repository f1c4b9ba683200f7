from django.urls import path

from . import views

app_name = "repository"

urlpatterns = [
    path("", views.library, name="library"),
    path("<int:pk>/", views.publication_detail, name="publication_detail"),
    path("<int:pk>/download/", views.publication_download, name="publication_download"),
    path("school/", views.school_library, name="my_school_library"),
    path("school/<int:pk>/", views.school_library, name="school_library"),
    path("coverage/<int:pk>/", views.coverage_view, name="coverage"),
    path("content/<str:token>/<path:relpath>", views.content_view, name="content"),
]
