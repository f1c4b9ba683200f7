"""PyLTI1p3's tool configuration backed by the registered platforms (interop.lti.models)."""

from __future__ import annotations

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from . import keys
from .models import LtiDeployment, LtiPlatform


class ToolRegistration(Registration):
    """A registration whose signing key id is the tool key's own `kid` (the one in our JWKS)."""

    _kid: str | None = None

    def set_kid(self, kid: str) -> ToolRegistration:
        self._kid = kid
        return self

    def get_kid(self):
        return self._kid


def registration_for(platform: LtiPlatform) -> ToolRegistration:
    key = keys.active_key()
    reg = ToolRegistration()
    reg.set_issuer(platform.issuer).set_client_id(platform.client_id)
    reg.set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
    reg.set_key_set_url(platform.key_set_url)
    if platform.auth_audience:
        reg.set_auth_audience(platform.auth_audience)
    reg.set_tool_private_key(key.private_key).set_tool_public_key(key.public_key)
    return reg.set_kid(key.kid)


class ModelToolConf(ToolConfAbstract):
    """Only *active* platforms are found: an unknown or switched-off issuer fails the launch.

    An issuer may have several client IDs (one LMS registering the tool twice); the client ID of
    the request then picks the registration."""

    def __init__(self):
        self.issuers_relation_types = {}

    def _platforms(self, iss):
        return LtiPlatform.objects.filter(issuer=iss, is_active=True)

    def platform(self, iss: str, client_id: str | None) -> LtiPlatform | None:
        qs = self._platforms(iss)
        if client_id:
            return qs.filter(client_id=client_id).first()
        found = list(qs[:2])
        return found[0] if len(found) == 1 else None

    def check_iss_has_one_client(self, iss):
        return self._platforms(iss).count() <= 1

    def check_iss_has_many_clients(self, iss):
        return self._platforms(iss).count() > 1

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        platform = self.platform(iss, None)
        return registration_for(platform) if platform else None

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        platform = self.platform(iss, client_id)
        return registration_for(platform) if platform else None

    def _deployment(self, iss, deployment_id, client_id):
        platform = self.platform(iss, client_id)
        if (
            platform is None
            or not LtiDeployment.objects.filter(platform=platform, deployment_id=deployment_id).exists()
        ):
            return None
        return Deployment().set_deployment_id(deployment_id)

    def find_deployment(self, iss, deployment_id):
        return self._deployment(iss, deployment_id, None)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        return self._deployment(iss, deployment_id, client_id)
