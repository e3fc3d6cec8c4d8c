"""Sites: a town centre's own database whose rows reach the district's by logical replication."""

from __future__ import annotations

SITE_BITS = 40
MAX_SITE = 2**23 - 1
