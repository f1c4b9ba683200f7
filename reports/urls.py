from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("approved/", views.approved_list, name="approved_list"),
    path("approved/export/<str:fmt>/", views.approved_list_export, name="approved_list_export"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
