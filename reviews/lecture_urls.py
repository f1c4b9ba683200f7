"""The author's lecture pages (reviews/lecture_views.py), under /lectures/ beside the upload
endpoints of the submissions app."""

from django.urls import path

from . import lecture_views as views

app_name = "lectures"

urlpatterns = [
    path("", views.lecture_list, name="list"),
    path("<int:pk>/", views.lecture_detail, name="detail"),
    path("<int:pk>/edit/", views.lecture_edit, name="edit"),
    path("<int:pk>/submit/", views.lecture_action, {"action": "submit"}, name="submit"),
    path("<int:pk>/withdraw/", views.lecture_action, {"action": "withdraw"}, name="withdraw"),
    path("<int:pk>/versions/new/", views.lecture_action, {"action": "new_version"}, name="new_version"),
]
