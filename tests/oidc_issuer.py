"""A CI platform's token issuer on loopback: discovery document, JWKS, and signed tokens.

Keys are generated here; ``rotate()`` serves a new key set; ``fetches`` counts JWKS reads.
"""

from __future__ import annotations

import functools
import itertools
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def _jwk(private: Any, kid: str, alg: str) -> dict[str, Any]:
    algorithm = jwt.get_algorithm_by_name(alg)
    public = json.loads(algorithm.to_jwk(private.public_key()))
    return {**public, "kid": kid, "alg": alg, "use": "sig"}


@functools.cache
def _rsa_key(n: int) -> Any:
    """RSA keys are slow to make: the n-th is made once per process."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


_issued = itertools.count()


class Issuer:
    def __init__(self) -> None:
        # Every issuer of a process gets its own key, so one cannot sign for another.
        self.rsa = _rsa_key(next(_issued) % 4)
        self.ec = ec.generate_private_key(ec.SECP256R1())
        self.served: list[dict[str, Any]] = [
            _jwk(self.rsa, "rsa-1", "RS256"),
            _jwk(self.ec, "ec-1", "ES256"),
        ]
        self.fetches = 0
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body: dict[str, Any]
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks"}
                elif self.path == "/jwks":
                    issuer.fetches += 1
                    body = {"keys": issuer.served}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def rotate(self) -> Any:
        """Serve a new RSA key (kid ``rsa-2``) instead of the first; returns its private key."""
        new = _rsa_key(-1)
        self.served = [_jwk(new, "rsa-2", "RS256"), _jwk(self.ec, "ec-1", "ES256")]
        return new

    def claims(self, audience: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": self.url,
            "aud": audience,
            "sub": "repo:acme/ads-ctr:ref:refs/heads/main",
            "repository": "acme/ads-ctr",
            "ref": "refs/heads/main",
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
            **overrides,
        }

    def token(
        self,
        audience: str,
        *,
        key: Any = None,
        kid: str = "rsa-1",
        alg: str = "RS256",
        **claims: Any,
    ) -> str:
        signing = key if key is not None else (self.ec if alg == "ES256" else self.rsa)
        return jwt.encode(
            self.claims(audience, **claims), signing, algorithm=alg, headers={"kid": kid}
        )
