from django.urls import path

from . import compliance_views, views

app_name = "reports"

urlpatterns = [
    path("approved/", views.approved_list, name="approved_list"),
    path("approved/export/<str:fmt>/", views.approved_list_export, name="approved_list_export"),
    path("records/compliance/", compliance_views.compliance, name="records_compliance"),
    path("records/compliance.xlsx", compliance_views.compliance_xlsx, name="records_compliance_xlsx"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
