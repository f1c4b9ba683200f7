from django.urls import path

from . import views

app_name = "submissions"

urlpatterns = [
    path("<int:pk>/", views.lecture_detail, name="lecture_detail"),
]
