"""A software WebAuthn authenticator with real keys, for the tests.

It produces genuine registration (attestation ``none``) and assertion
responses, signed with ES256, EdDSA or RS256 keys from ``cryptography`` and
encoded with ``cbor2``, and lets a test bend every field the relying party
checks: flags (UP, UV, BE, BS), sign count, origin, RP ID, client data type,
challenge, credential id length, algorithm, crossOrigin and topOrigin.
"""

import base64
import hashlib
import json
import os
import struct
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

UP, UV, BE, BS, AT = 0x01, 0x04, 0x08, 0x10, 0x40
ES256, EDDSA, RS256 = -7, -8, -257
ORIGIN = "http://localhost:8000"
RP_ID = "localhost"
_UNSET: Any = object()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """One credential on one software authenticator."""

    def __init__(
        self,
        *,
        alg: int = ES256,
        id_length: int = 32,
        backup_eligible: bool = False,
        backup_state: bool = False,
        sign_count: int = 0,
        aaguid: bytes = bytes(16),
    ):
        self.alg = alg
        self.credential_id = os.urandom(id_length)
        self.backup_eligible = backup_eligible
        self.backup_state = backup_state
        self.sign_count = sign_count
        self.aaguid = aaguid
        self.user_handle: bytes | None = None
        if alg == ES256:
            self._key = ec.generate_private_key(ec.SECP256R1())
        elif alg == EDDSA:
            self._key = ed25519.Ed25519PrivateKey.generate()
        elif alg == RS256:
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            raise ValueError(alg)

    # --- encoding -----------------------------------------------------------

    def cose_public_key(self) -> bytes:
        public = self._key.public_key()
        if self.alg == ES256:
            numbers = public.public_numbers()
            return cbor2.dumps(
                {
                    1: 2,
                    3: ES256,
                    -1: 1,
                    -2: numbers.x.to_bytes(32, "big"),
                    -3: numbers.y.to_bytes(32, "big"),
                }
            )
        if self.alg == EDDSA:
            from cryptography.hazmat.primitives import serialization

            raw = public.public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
            return cbor2.dumps({1: 1, 3: EDDSA, -1: 6, -2: raw})
        numbers = public.public_numbers()
        n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
        e = numbers.e.to_bytes(3, "big")
        return cbor2.dumps({1: 3, 3: RS256, -1: n, -2: e})

    def _sign(self, data: bytes) -> bytes:
        if self.alg == ES256:
            return self._key.sign(data, ec.ECDSA(hashes.SHA256()))
        if self.alg == EDDSA:
            return self._key.sign(data)
        return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    @staticmethod
    def _client_data(
        *, type_: str, challenge: bytes, origin: str, cross_origin, top_origin
    ) -> bytes:
        data: dict[str, Any] = {
            "type": type_,
            "challenge": b64url(challenge),
            "origin": origin,
        }
        if cross_origin is not _UNSET:
            data["crossOrigin"] = cross_origin
        if top_origin is not None:
            data["topOrigin"] = top_origin
        return json.dumps(data, separators=(",", ":")).encode()

    def _flags(self, *, up: bool, uv: bool, be, bs, at: bool = False) -> int:
        be = self.backup_eligible if be is None else be
        bs = self.backup_state if bs is None else bs
        return (
            (UP if up else 0)
            | (UV if uv else 0)
            | (BE if be else 0)
            | (BS if bs else 0)
            | (AT if at else 0)
        )

    # --- ceremonies ---------------------------------------------------------

    def create(
        self,
        options: dict[str, Any],
        *,
        origin: str = ORIGIN,
        rp_id: str | None = None,
        type_: str = "webauthn.create",
        challenge: bytes | None = None,
        up: bool = True,
        uv: bool = True,
        be: bool | None = None,
        bs: bool | None = None,
        cross_origin: Any = False,
        top_origin: str | None = None,
    ) -> dict[str, Any]:
        """A ``navigator.credentials.create()`` response to ``options``."""
        self.user_handle = unb64url(options["user"]["id"])
        rp_id = rp_id or options["rp"]["id"]
        client_data = self._client_data(
            type_=type_,
            challenge=challenge or unb64url(options["challenge"]),
            origin=origin,
            cross_origin=cross_origin,
            top_origin=top_origin,
        )
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(up=up, uv=uv, be=be, bs=bs, at=True)])
            + struct.pack(">I", self.sign_count)
            + self.aaguid
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self.cose_public_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
        }

    def get(
        self,
        options: dict[str, Any],
        *,
        origin: str = ORIGIN,
        rp_id: str | None = None,
        type_: str = "webauthn.get",
        challenge: bytes | None = None,
        up: bool = True,
        uv: bool = True,
        be: bool | None = None,
        bs: bool | None = None,
        sign_count: int | None = None,
        user_handle: Any = _UNSET,
        credential_id: bytes | None = None,
        cross_origin: Any = False,
        top_origin: str | None = None,
    ) -> dict[str, Any]:
        """A ``navigator.credentials.get()`` response to ``options``.

        The stored counter goes up by one unless ``sign_count`` is given.
        """
        if sign_count is None:
            self.sign_count += 1
            sign_count = self.sign_count
        rp_id = rp_id or options.get("rpId") or RP_ID
        client_data = self._client_data(
            type_=type_,
            challenge=challenge or unb64url(options["challenge"]),
            origin=origin,
            cross_origin=cross_origin,
            top_origin=top_origin,
        )
        auth_data = (
            hashlib.sha256(rp_id.encode()).digest()
            + bytes([self._flags(up=up, uv=uv, be=be, bs=bs)])
            + struct.pack(">I", sign_count)
        )
        signature = self._sign(auth_data + hashlib.sha256(client_data).digest())
        handle = self.user_handle if user_handle is _UNSET else user_handle
        cid = self.credential_id if credential_id is None else credential_id
        return {
            "id": b64url(cid),
            "rawId": b64url(cid),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(handle) if handle is not None else None,
            },
        }
