from django.urls import path

from . import views

app_name = "repository"

urlpatterns = [
    path("<int:pk>/", views.publication_detail, name="publication_detail"),
]
