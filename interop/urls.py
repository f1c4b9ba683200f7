from django.urls import path

from . import views
from .lti import admin_views as lti_admin
from .lti import views as lti
from .oai.views import endpoint

app_name = "interop"

urlpatterns = [
    path("oai/", endpoint, name="oai"),
    path("catalogue/", views.catalogue_list, name="catalogue"),
    path("catalogue/embed/", views.catalogue_embed, name="catalogue_embed"),
    path("catalogue/<int:pk>/", views.catalogue_detail, name="catalogue_detail"),
    path("catalogue/<int:pk>/download/", views.catalogue_download, name="catalogue_download"),
    path("catalogue/<int:pk>/offline/", views.catalogue_offline, name="catalogue_offline"),
    path("catalogue/<int:pk>/file/", views.catalogue_file, name="catalogue_file"),
    # LTI 1.3 tool (interop/lti).
    path("lti/jwks/", lti.jwks, name="lti_jwks"),
    path("lti/login/", lti.login, name="lti_login"),
    path("lti/launch/", lti.launch, name="lti_launch"),
    path("lti/deep-link/", lti.deep_link, name="lti_deep_link"),
    path("lti/play/<str:token>/", lti.play, name="lti_play"),
    path("lti/play/<str:token>/score/", lti.score, name="lti_score"),
    path("lti/platforms/", lti_admin.platform_list, name="lti_platforms"),
    path("lti/platforms/new/", lti_admin.platform_edit, name="lti_platform_new"),
    path("lti/platforms/<int:pk>/", lti_admin.platform_edit, name="lti_platform_edit"),
]
