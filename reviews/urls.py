from django.urls import path

from . import approved_views, views

app_name = "reviews"

urlpatterns = [
    path("queue/", views.review_queue, name="queue"),
    path("school/", views.school_cases, name="school_cases"),
    path("assigned/", views.assigned_cases, name="assigned"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/decide/", views.case_action, {"action": "decide"}, name="case_decide"),
    path("cases/<int:pk>/assign/", views.case_action, {"action": "assign"}, name="case_assign"),
    path("cases/<int:pk>/evaluate/", views.case_action, {"action": "evaluate"}, name="case_evaluate"),
    path("cases/<int:pk>/nominate/", views.case_action, {"action": "nominate"}, name="case_nominate"),
    path("cases/<int:pk>/withdraw/", views.case_action, {"action": "withdraw"}, name="case_withdraw"),
    path("cases/<int:pk>/file/", views.case_file, name="case_file"),
    path("minutes/<int:pk>/", views.minutes_detail, name="minutes_detail"),
    path("minutes/<int:pk>/pdf/", views.minutes_pdf, name="minutes_pdf"),
    path("minutes/<int:pk>/approved.pdf", approved_views.minutes_approved_pdf, name="minutes_approved_pdf"),
    path("verify/", approved_views.document_verify, name="document_verify"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
]

# Retraction from a library: a workflow action (it notifies the authors) at the library's address;
# elearning/urls.py mounts these under /library/ in the "library_actions" namespace.
library_urlpatterns = [
    path("<int:pk>/retract/", views.publication_retract, name="publication_retract"),
]
