"""The live view of a dispatch run on a terminal (rich, imported only when it is shown):
the board (running, merging, queued, blocked, done, failed; elapsed against the plan's
estimate) redrawn in place, the run's events scrolling above it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from taskgov import output as ui

SHOWN = ("running", "merging", "queued", "blocked", "failed")  # rows of the table, in order
COLOURS = {
    "running": "cyan",
    "merging": "magenta",
    "queued": "yellow",
    "blocked": "dim",
    "done": "green",
    "failed": "red",
    "skipped": "dim",
}


def wanted(as_json: bool) -> bool:
    """A live view on a terminal; plain lines when not a terminal or with ``--json``."""
    import os
    import sys

    return not as_json and sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


class LiveView:
    def __init__(self, line: Callable[[dict[str, Any]], str]) -> None:
        from rich.console import Console
        from rich.live import Live

        self.line = line
        self.console = Console(highlight=False)
        self.live = Live(console=self.console, auto_refresh=False, transient=False)
        self.rows = max(5, self.console.height - 8)

    def __enter__(self) -> LiveView:
        self.live.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.live.stop()

    def event(self, record: dict[str, Any]) -> None:
        self.live.console.print(ui.terminal_text(self.line(record)), markup=False)

    def board(self, board: dict[str, Any]) -> None:
        self.live.update(self.render(board), refresh=True)

    def render(self, board: dict[str, Any]) -> Any:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        head = Text()
        head.append(f"run {board['run']}", style="bold")
        head.append(
            f"  elapsed {_clock(board['elapsed'])}  plan estimate {board['plan_hours']:g} h"
        )
        if board["throttled"]:
            head.append(f"  starts held: {board['throttled']}", style="yellow")
        counts = Text()
        for status, count in board["counts"].items():
            counts.append(f"{status} {count}  ", style=COLOURS.get(status, ""))
        table = Table(box=None, pad_edge=False, expand=False)
        for column in ("TASK", "STATUS", "WORKER", "ELAPSED", "ESTIMATE", "NOTE"):
            table.add_column(column, no_wrap=column != "NOTE", overflow="ellipsis")
        rows = [r for s in SHOWN for r in board["tasks"] if r["status"] == s]
        for row in rows[: self.rows]:
            table.add_row(
                row["task"],
                Text(row["status"], style=COLOURS.get(row["status"], "")),
                row["worker"] or "-",
                "-" if row["elapsed"] is None else _clock(row["elapsed"]),
                f"{row['estimate_hours']:g} h",
                ui.one_line(row["reason"] or row["title"]),
            )
        more = len(rows) - self.rows
        parts: list[Any] = [head, counts, table]
        if more > 0:
            parts.append(Text(f"... and {more} more", style="dim"))
        return Group(*parts)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
