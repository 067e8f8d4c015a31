"""The authorization server's machine endpoints: the token endpoint (form in, JSON out, never
cached: RFC 6749 §5.1) and the public keys every app verifies Insats' tokens with."""
from __future__ import annotations

import json
import urllib.parse
from typing import Any

from chalice import Response

NO_STORE = {"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"}


def answer(request: Any) -> Response:
    from ....identity.bootstrap import deps
    from .views import token_endpoint

    pairs = urllib.parse.parse_qsl((request.raw_body or b"").decode("utf-8", "replace"), keep_blank_values=True)
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in form:  # RFC 6749 §3.2: a parameter must not be included more than once
            return Response(body=json.dumps({"error": "invalid_request", "error_description": f"{key} twice"}),
                            status_code=400, headers=NO_STORE)
        form[key] = value
    status, body = token_endpoint(deps(), form)
    return Response(body=json.dumps(body), status_code=status, headers=NO_STORE)


def revoke(request: Any) -> Response:
    """RFC 7009: always 200, whether the token was known or not."""
    from ....identity.bootstrap import deps
    from ....identity.usecases.authorization import revoke as revoke_grant

    form = dict(urllib.parse.parse_qsl((request.raw_body or b"").decode("utf-8", "replace")))
    revoke_grant(deps(), form)
    return Response(body="{}", status_code=200, headers=NO_STORE)


def jwks() -> Response:
    from ....identity.bootstrap import deps

    return Response(body=json.dumps(deps().tokens.jwks()), status_code=200,
                    headers={"Content-Type": "application/json", "Cache-Control": "public, max-age=300"})
