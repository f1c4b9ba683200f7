"""The interop app's models: the LTI 1.3 registrations, keys and launches (interop.lti.models)."""

from .lti.models import LtiDeployment, LtiIdentity, LtiLaunch, LtiPlatform, LtiToolKey

__all__ = ["LtiDeployment", "LtiIdentity", "LtiLaunch", "LtiPlatform", "LtiToolKey"]
