"""Schemathesis hooks for schemathesis.test.ts, loaded through `hooks` in schemathesis.toml."""

import hashlib
import json

import schemathesis
from schemathesis.core import NotSet

HEADER = "Idempotency-Key"
MAX_LENGTH = 255
SUFFIX_LENGTH = 17  # "-" and 16 hex digits


def _request_digest(case) -> str:
    body = None if isinstance(case.body, NotSet) else case.body
    request = [case.method, case.path, case.path_parameters, case.query, body]
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=repr).encode()).hexdigest()[:16]


@schemathesis.hook
def before_call(context, case, kwargs):
    """Gives each distinct request an Idempotency-Key of its own.

    Generated keys repeat from case to case ("0" again and again), and the API rightly refuses a key
    reused with another request (422 IDEMPOTENCY_KEY_REUSED), so most idempotent requests would test
    nothing else. The generated key gets a digest of the request appended: the same request keeps its
    key (and is replayed), another request gets another key. A case whose broken part is a header
    (a key that is empty or too long, a missing Authorization header, ...) stays as generated:
    Schemathesis re-derives a changed case's mode, and that case must still be sent as negative.
    """
    meta = case.meta
    if meta is not None and not meta.generation.mode.is_positive:
        location = meta.phase.data.parameter_location
        if location is None or location.name != "BODY" and location.name != "QUERY" and location.name != "PATH":
            return
    headers = case.headers
    if not headers:
        return
    key = headers.get(HEADER)
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_LENGTH - SUFFIX_LENGTH:
        return
    headers[HEADER] = f"{key}-{_request_digest(case)}"
