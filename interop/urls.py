from django.urls import path

from . import views
from .oai.views import endpoint

app_name = "interop"

urlpatterns = [
    path("oai/", endpoint, name="oai"),
    path("catalogue/", views.catalogue_list, name="catalogue"),
    path("catalogue/embed/", views.catalogue_embed, name="catalogue_embed"),
    path("catalogue/<int:pk>/", views.catalogue_detail, name="catalogue_detail"),
    path("catalogue/<int:pk>/download/", views.catalogue_download, name="catalogue_download"),
    path("catalogue/<int:pk>/offline/", views.catalogue_offline, name="catalogue_offline"),
]
