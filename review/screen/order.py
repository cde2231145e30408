"""The order a reviewer sees records in: random, fixed per reviewer, stage and seed.

Shared by the screening session, the spreadsheet export and the stopping test's random sample.
"""

from __future__ import annotations

import hashlib

from review.people import file_id


def queue_order(ids: list[str], reviewer: str, stage: str, seed: int = 0) -> list[str]:
    """A random order fixed per reviewer, stage and seed.

    Each record's place comes from a hash of (reviewer, stage, seed, record id), so the order is
    the same at every start and records added later slot in without reshuffling the rest.
    """
    salt = f"{file_id(reviewer)}\x1f{stage}\x1f{seed}\x1f".encode()

    def key(cid: str) -> bytes:
        return hashlib.blake2b(salt + cid.encode(), digest_size=8).digest()

    return sorted(ids, key=key)
