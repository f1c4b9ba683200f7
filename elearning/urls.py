from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from reviews.urls import library_urlpatterns as reviews_library_urlpatterns

from . import pwa, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("support/", views.support, name="support"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="webmanifest"),
    path("offline/", pwa.offline_page, name="offline"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_change_done",
    ),
    path("password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("lectures/", include("reviews.lecture_urls")),
    path("lectures/", include("submissions.urls")),
    path("reviews/", include("reviews.urls")),
    path("records/", include("reviews.record_urls")),
    # The library's workflow actions (retract) live in reviews, which notifies; same /library/ address.
    path("library/", include((reviews_library_urlpatterns, "library_actions"))),
    path("library/", include("repository.urls")),
    path("reports/", include("reports.urls")),
    path("calendar/", include("submissions.calendar_urls")),
    path("", include("interop.urls")),
    path("admin/", admin.site.urls),
]
