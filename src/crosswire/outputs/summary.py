"""The one-screen summary printed at the end of `crosswire run`. File names
and reasons come from the inputs: they are shown with control characters
escaped and rich markup not interpreted (sanitize.for_rich)."""
from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from ..sanitize import for_rich as _safe


def print_summary(summary, console: Console | None = None) -> None:
    console = console or Console()
    s = summary if isinstance(summary, dict) else summary.as_dict()
    table = Table(title=f"crosswire run {s.get('run_id', '')}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("store", _safe(s.get("db")))
    table.add_row("articles read", str(s.get("articles_read", 0)))
    table.add_row("  new", str(s.get("articles_new", 0)))
    table.add_row("  already stored", str(s.get("articles_known", 0)))
    if s.get("articles_reextracted"):
        table.add_row("  re-extracted (older version)", str(s["articles_reextracted"]))
    rejections = s.get("rejections", [])
    table.add_row("skipped", str(len(rejections)))
    table.add_row("event mentions (store)", str(s.get("event_mentions", 0)))
    table.add_row("events (store)", str(s.get("events", 0)))
    table.add_row("quotes (store)", str(s.get("quotes", 0)))
    table.add_row("stories (store)", str(s.get("stories", 0)))
    table.add_row("time", f"{s.get('seconds', 0)} s")
    console.print(table)
    if s.get("stale_left"):
        console.print(f"{s['stale_left']} stored articles were extracted by an older version or other models: "
                      "crosswire reextract brings them up to date")
    if rejections:
        reasons = Counter(r["reason"] for r in rejections)
        console.print("skipped, by reason: " + _safe(", ".join(f"{n} {reason}" for reason, n in reasons.most_common())),
                      highlight=False)
        for r in rejections[:10]:
            console.print(f"  [yellow]skipped[/] {_safe(r['path'])}: {_safe(r['reason'])}", highlight=False)
        if len(rejections) > 10:
            console.print(f"  … and {len(rejections) - 10} more (crosswire quarantine)")
