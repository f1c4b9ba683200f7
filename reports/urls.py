from django.urls import path

from . import catalogue_views, compliance_views, semester_views, views
from .dashboard import views as dashboard_views

app_name = "reports"

urlpatterns = [
    path("approved/", views.approved_list, name="approved_list"),
    path("approved/export/<str:fmt>/", views.approved_list_export, name="approved_list_export"),
    path("records/compliance/", compliance_views.compliance, name="records_compliance"),
    path("records/compliance.xlsx", compliance_views.compliance_xlsx, name="records_compliance_xlsx"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/<int:unit_id>/", dashboard_views.dashboard, name="dashboard_unit"),
    path("dashboard/<int:unit_id>/export/", dashboard_views.dashboard_export, name="dashboard_export"),
    path("dashboard/<int:unit_id>/target/", dashboard_views.target_set, name="dashboard_target"),
    path("catalogue/", catalogue_views.catalogue_start, name="catalogue"),
    path("catalogue/template.<str:fmt>", catalogue_views.catalogue_template, name="catalogue_template"),
    path("catalogue/<int:pk>/", catalogue_views.catalogue_detail, name="catalogue_detail"),
    path("catalogue/<int:pk>/confirm/", catalogue_views.catalogue_confirm, name="catalogue_confirm"),
    path("semester/", semester_views.semester_list, name="semester_list"),
    path("semester/start/", semester_views.semester_start, name="semester_start"),
    path("semester/<int:pk>/", semester_views.semester_detail, name="semester_detail"),
    path("semester/<int:pk>/download/<str:fmt>/", semester_views.semester_download, name="semester_download"),
]
