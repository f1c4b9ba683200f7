"""Professional records (hồ sơ chuyên môn) pages, under /records/ (reviews/record_views.py)."""

from django.urls import path

from . import record_views as views

app_name = "records"

urlpatterns = [
    path("", views.my_records, name="mine"),
    path("new/<slug:kind>/", views.record_new, name="new"),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("<int:pk>/resubmit/", views.record_resubmit, name="resubmit"),
    path("<int:pk>/versions/<int:number>/file/", views.record_file, name="file"),
    path("<int:pk>/versions/<int:number>/approved.pdf", views.record_approved_pdf, name="approved_pdf"),
    path("cases/<int:pk>/", views.record_case, name="case"),
    path("cases/<int:pk>/decide/", views.record_case_decide, name="case_decide"),
    path("school/", views.school_records, name="school"),
]
