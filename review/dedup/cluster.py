"""Stage 5: clusters from pairwise links, with a guard against chaining distinct studies.

Links are applied strongest first: a person's ``same`` verdicts, then automatic links in order of
title similarity. Two groups are joined only if no ``different`` verdict lies between any of their
members, and, for an automatic link, every record of the one automatic part is compatible with
every record of the other (no never-merge rule, no contradicting field, a similar title — checked
pair by pair, scoring pairs that were never blocked together). An automatic part is what the
automatic links alone hold together; members a person attached are not re-judged by the rules.
An automatic link that fails the guard is queued for a person instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class _Groups:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {}

    def find(self, i: int) -> int:
        p = self.parent
        while p[i] != i:
            p[i] = p[p[i]]
            i = p[i]
        return i

    def group(self, root: int) -> list[int]:
        return self.members.get(root, [root])

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        ga, gb = self.group(ra), self.group(rb)
        if len(ga) < len(gb):
            ra, rb, ga, gb = rb, ra, gb, ga
        self.parent[rb] = ra
        self.members[ra] = ga + gb
        self.members.pop(rb, None)
        return ra


@dataclass(frozen=True, slots=True)
class Link:
    a: int
    b: int
    kind: str  # auto | confirmed


@dataclass
class ClusterResult:
    root_of: list[int]  # representative index per record
    accepted: list[Link]  # links that joined two groups
    guarded: list[tuple[int, int]]  # automatic links refused by the guard (queued instead)
    refused_same: list[tuple[int, int]]  # `same` verdicts contradicted by a `different` verdict


def build_clusters(
    n: int,
    same: list[tuple[int, int]],
    auto: list[tuple[int, int]],
    different: set[tuple[int, int]],
    compatible: Callable[[int, int], bool],
) -> ClusterResult:
    """Join records by ``same`` (person) then ``auto`` links, honouring ``different`` verdicts.

    Pairs are ``(i, j)`` with ``i < j``; ``auto`` must already be in priority order.
    """
    g = _Groups(n)
    parts = _Groups(n)  # joined by automatic links only
    accepted: list[Link] = []
    guarded: list[tuple[int, int]] = []
    refused: list[tuple[int, int]] = []

    def blocked(ra: int, rb: int) -> bool:
        for x in g.group(ra):
            for y in g.group(rb):
                if ((x, y) if x < y else (y, x)) in different:
                    return True
        return False

    def incompatible(i: int, j: int) -> bool:
        # The rules vouch only for the automatic parts; a member a person attached is not
        # re-judged by the rules (its metadata may be odd: that is why a person was asked).
        for x in parts.group(parts.find(i)):
            for y in parts.group(parts.find(j)):
                if not compatible(*((x, y) if x < y else (y, x))):
                    return True
        return False

    for i, j in same:
        ri, rj = g.find(i), g.find(j)
        if ri == rj:
            continue
        if blocked(ri, rj):
            refused.append((i, j))
            continue
        g.union(i, j)
        accepted.append(Link(i, j, "confirmed"))
    for i, j in auto:
        if (i, j) in different:
            continue
        ri, rj = g.find(i), g.find(j)
        if ri == rj:
            continue
        if blocked(ri, rj) or incompatible(i, j):
            guarded.append((i, j))
            continue
        g.union(i, j)
        parts.union(i, j)
        accepted.append(Link(i, j, "auto"))
    return ClusterResult([g.find(i) for i in range(n)], accepted, guarded, refused)


def split_statuses(
    members: list[int], primary: int, links: list[Link], rank: Callable[[int], tuple]
) -> dict[int, str]:
    """Status of each member of one merged cluster (see docs/dedup.md, "Counting for PRISMA").

    The automatic links alone split the cluster into parts. The primary's part and every other
    member of a part that a person attached are ``auto``; one member per attached part (its
    best-ranked) is ``confirmed``. So a cluster of *k* records in *s* automatic parts counts
    *k - s* automatic and *s - 1* manual removals. The primary is ``confirmed`` when s > 1.
    """
    g = _Groups(0)
    local = {m: i for i, m in enumerate(members)}
    g.parent = list(range(len(members)))
    for link in links:
        if link.kind == "auto" and link.a in local and link.b in local:
            g.union(local[link.a], local[link.b])
    parts: dict[int, list[int]] = {}
    for m in members:
        parts.setdefault(g.find(local[m]), []).append(m)
    status: dict[int, str] = {}
    primary_part = g.find(local[primary])
    for root, part in parts.items():
        if root == primary_part:
            for m in part:
                status[m] = "auto"
        else:
            head = min(part, key=rank)
            for m in part:
                status[m] = "confirmed" if m == head else "auto"
    status[primary] = "confirmed" if len(parts) > 1 else "auto"
    return status
