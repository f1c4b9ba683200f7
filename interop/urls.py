from django.urls import path

from .oai.views import endpoint

app_name = "interop"

urlpatterns = [
    path("oai/", endpoint, name="oai"),
]
