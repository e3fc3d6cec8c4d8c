"""The HTTP status of each kind of refusal (``HallqError.kind``), for every entry point that
answers over HTTP: the API and the phone's take page answer a refusal alike."""

from __future__ import annotations

KIND_STATUS = {
    "invalid": 422,
    "not_found": 404,
    "conflict": 409,
    "forbidden": 403,
    "rate_limited": 429,
    "unavailable": 503,
}
