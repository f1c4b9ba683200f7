from django.urls import path

from . import calendar_views as views

app_name = "calendar"

urlpatterns = [
    path("", views.calendar, name="index"),
    path("years/new/", views.year_edit, name="year_new"),
    path("years/<int:pk>/", views.year_edit, name="year_edit"),
    path("years/<int:pk>/standard-windows/", views.year_standard_windows, name="year_standard_windows"),
    path("years/<int:pk>/districts/<int:district_pk>/", views.district_edit, name="district_edit"),
    path(
        "years/<int:pk>/districts/<int:district_pk>/standard-windows/",
        views.district_standard_windows,
        name="district_standard_windows",
    ),
    path("windows/new/", views.window_edit, name="window_new"),
    path("windows/<int:pk>/", views.window_edit, name="window_edit"),
]
