"""The tool's RSA keys: creation, rotation and the public key set (JWKS).

Rotation: `rotate()` makes a new key the active one (it signs from now on) and keeps the old one
*published* in the JWKS, so a platform that cached it still verifies what it signed (a Deep
Linking response in flight, a service token). `retire()` takes a published key out of the JWKS.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from django.utils import timezone
from jwcrypto.jwk import JWK
from pylti1p3.registration import Registration

from .models import LtiToolKey

KEY_BITS = 2048


def _new_pair() -> tuple[str, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def public_jwk(key: LtiToolKey) -> dict:
    jwk = dict(Registration.get_jwk(key.public_key))
    jwk["kid"] = key.kid
    return jwk


@transaction.atomic
def rotate() -> LtiToolKey:
    """A new active key; the one active until now stays published (verifiable) until retired."""
    LtiToolKey.objects.select_for_update().filter(state=LtiToolKey.State.ACTIVE).update(
        state=LtiToolKey.State.PUBLISHED
    )
    private_pem, public_pem = _new_pair()
    kid = JWK.from_pem(public_pem.encode()).thumbprint()
    return LtiToolKey.objects.create(
        kid=kid, public_key=public_pem, private_key=private_pem, state=LtiToolKey.State.ACTIVE
    )


def retire(key: LtiToolKey) -> None:
    """Takes a rotated-out key out of the JWKS (the active key cannot be retired: rotate first)."""
    if key.state == LtiToolKey.State.PUBLISHED:
        key.state, key.retired_at = LtiToolKey.State.RETIRED, timezone.now()
        key.save(update_fields=["state", "retired_at"])


def active_key() -> LtiToolKey:
    """The signing key, created on first use."""
    key = LtiToolKey.objects.filter(state=LtiToolKey.State.ACTIVE).first()
    return key or rotate()


def jwks() -> dict:
    """The published keys; the first request makes the first key, so the set is never empty."""
    active_key()
    keys = LtiToolKey.objects.filter(state__in=[LtiToolKey.State.ACTIVE, LtiToolKey.State.PUBLISHED])
    return {"keys": [public_jwk(k) for k in keys.order_by("created_at", "pk")]}
