"""The tool's RSA keys (issue 17 item 2): generated per organisation, the private half encrypted at rest with a key
derived from settings.LTI_KEY_ENCRYPTION_SECRET (default: SECRET_KEY), so a database dump alone signs nothing."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from jwcrypto.jwk import JWK


def _fernet() -> Fernet:
    secret = getattr(settings, "LTI_KEY_ENCRYPTION_SECRET", "") or settings.SECRET_KEY
    digest = hashlib.sha256(b"mooc-platform lti tool key|" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def key_pair_generate() -> tuple[str, str]:
    """A new 2048-bit RSA key pair: (private PEM, public PEM)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private_pem, public_pem


def private_key_encrypt(private_pem: str) -> str:
    return _fernet().encrypt(private_pem.encode()).decode()


def private_key_decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def public_jwk(public_pem: str) -> dict[str, Any]:
    """The public key as a JWK (kid: its RFC 7638 thumbprint), as platforms read it from the JWKS."""
    jwk = JWK.from_pem(public_pem.encode())
    data = json.loads(jwk.export_public())
    data.update({"alg": "RS256", "use": "sig", "kid": jwk.thumbprint()})
    return data
