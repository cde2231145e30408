"""`review dedup explain`'s last table: the cluster's fused record, field by field."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from review.dedup.fusion import Fusion


def print_fusion(fusion: Fusion) -> None:
    """Which field of the cluster's fused record came from which copy (docs/dedup.md)."""
    from rich.markup import escape
    from rich.table import Table

    from review.cli.common import out_console

    t = Table(
        title=f"Fused record of cluster {escape(fusion.cluster_id)}: what screening, exports "
        "and charting show",
        title_justify="left",
        expand=True,
    )
    t.add_column("field", no_wrap=True)
    t.add_column("from", ratio=1)
    t.add_column("rule", no_wrap=True)
    t.add_column("value", ratio=2)
    for src in fusion.sources:
        value = fusion.values[src.field]
        if isinstance(value, tuple):
            value = "; ".join(value)
        text = "" if value is None else str(value)
        if len(text) > 80:
            text = text[:77] + "..."
        where = ", ".join(src.records) or "(no copy has it)"
        if src.records == (fusion.cluster_id,):
            where = "the primary"
        t.add_row(src.field, escape(where), src.rule, escape(text))
    out_console().print()
    out_console().print(t)
