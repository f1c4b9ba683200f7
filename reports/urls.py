from django.urls import path

from . import semester_views, views

app_name = "reports"

urlpatterns = [
    path("approved/", views.approved_list, name="approved_list"),
    path("approved/export/<str:fmt>/", views.approved_list_export, name="approved_list_export"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("semester/", semester_views.semester_list, name="semester_list"),
    path("semester/start/", semester_views.semester_start, name="semester_start"),
    path("semester/<int:pk>/", semester_views.semester_detail, name="semester_detail"),
    path("semester/<int:pk>/download/<str:fmt>/", semester_views.semester_download, name="semester_download"),
]
