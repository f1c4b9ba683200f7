from django.urls import path

from . import views

app_name = "submissions"

urlpatterns = [
    path("new/", views.lecture_create, name="lecture_create"),
    path("<int:pk>/check/retry/", views.version_check_retry, name="version_check_retry"),
    path("<int:pk>/licence/", views.version_licence, name="version_licence"),
    path("versions/<int:pk>/download/", views.version_download, name="version_download"),
    # The S3-multipart protocol spoken by static/js/upload.js (both back ends).
    path("uploads/", views.upload_create, name="upload_create"),
    path("uploads/resume/", views.upload_resume, name="upload_resume"),
    path("uploads/<int:pk>/", views.upload_abort, name="upload_abort"),
    path("uploads/<int:pk>/parts/", views.upload_list_parts, name="upload_list_parts"),
    path("uploads/<int:pk>/parts/<int:number>/", views.upload_part, name="upload_part"),
    path("uploads/<int:pk>/parts/<int:number>/sign/", views.upload_sign_part, name="upload_sign_part"),
    path("uploads/<int:pk>/complete/", views.upload_complete, name="upload_complete"),
]
