from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
]
