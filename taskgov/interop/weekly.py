"""``taskgov report weekly``: one week of work in the weekly task-log format.

The same tables ``taskgov import markdown`` reads (``| Date | Task | ID | Hours | Status |
Notes |``, ``☑`` done, ``☐`` open), in four sections: completed (closed during the week, by
a ``Closes:`` trailer or the spec's ``completed_at``), in progress, blocked and next (the
frontier, ranked as ``ready`` ranks it), then the week's hours and contributions. The status
says what the box cannot (``☐ in progress``, ``☐ blocked``, ``☐ ready``). Hours are each task's
expected hours (the PERT mean of its estimate): history records no time spent. Contributions
come from the commits of the week and the contribution log (``.claude/contributions``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from taskgov.errors import UsageError
from taskgov.git.activity import Activity
from taskgov.repo import Repository

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
SECTIONS = (
    ("completed", "Completed", "☑"),
    ("in_progress", "In progress", "☐ in progress"),
    ("blocked", "Blocked", "☐ blocked"),
    ("next", "Next", "☐ ready"),
)
_WORKING = frozenset({"in_progress", "claimed", "review", "assigned"})


def parse_week(text: str | None, today: date | None = None) -> tuple[str, date]:
    """``2026-W48`` (or ``None``: the current week) as its name and its Monday."""
    if text is None:
        year, week, _ = (today or datetime.now(timezone.utc).date()).isocalendar()
    else:
        found = _WEEK.match(text.strip())
        if not found:
            raise UsageError(f"--week {text!r}: expected a week like 2026-W48")
        year, week = int(found.group(1)), int(found.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise UsageError(f"--week {text!r}: {year} has no week {week}") from None
    return f"{year}-W{week:02d}", monday


def weekly_report(
    repo: Repository,
    activity: Activity | None,
    week: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The week's report as data: rows per section, hours and contributions."""
    from taskgov.commands import _ready
    from taskgov.state import derive_states

    name, monday = parse_week(week, today)
    days = [monday + timedelta(days=n) for n in range(7)]
    first, last = days[0].isoformat(), days[-1].isoformat()
    states = derive_states(repo, activity)
    activity = activity or Activity()
    commits = contributions(repo, first, last)
    sections: dict[str, list[dict[str, Any]]] = {key: [] for key, _, _ in SECTIONS}
    listed: set[str] = set()

    def row(task_id: str, section: str, when: str, notes: list[str]) -> None:
        task = repo.tasks[task_id]
        count = commits["by_task"].get(task_id, 0)
        if count:
            notes.append(f"{count} commit{'s' if count != 1 else ''} this week")
        sections[section].append(
            {
                "date": when,
                "task": task.title,
                "id": task_id,
                # One decimal, as the table shows it: the weekly total then adds up exactly.
                "hours": round(task.estimate.expected, 1) if task.estimate else 0.0,
                "status": states[task_id].status,
                "notes": "; ".join(notes),
            }
        )
        listed.add(task_id)

    for task_id, task in repo.tasks.items():
        if task.unreadable or states[task_id].status != "completed":
            continue
        mention = activity.closed.get(task_id)
        when = mention.date[:10] if mention else ""
        if not when:
            when = _spec_date(repo, task.path, "completed_at")
        if first <= when <= last:
            row(task_id, "completed", when, [f"closed by {mention.commit[:7]}"] if mention else [])
    for task_id, task in repo.tasks.items():
        state = states[task_id]
        if task_id in listed or task.unreadable:
            continue
        if state.status in _WORKING:
            started = activity.started.get(task_id)
            row(task_id, "in_progress", started.date[:10] if started else "", [])
        elif state.status == "blocked":
            row(task_id, "blocked", "", [])
    for entry in _ready(repo, states)["ready"]:
        if entry["id"] not in listed:
            row(entry["id"], "next", "", [])
    for entry in sections["blocked"]:
        # "depends on X" for what the report lists (importing the report keeps the edge).
        waits = states[entry["id"]].waiting_on
        said = [f"depends on {i}" for i in waits if i in listed]
        rest = [i for i in waits if i not in listed]
        said += [f"waits for {', '.join(rest)}"] if rest else []
        entry["notes"] = "; ".join([*said, *([entry["notes"]] if entry["notes"] else [])])
    hours = {key: round(sum(r["hours"] for r in rows), 1) for key, rows in sections.items()}
    return {
        "week": name,
        "start": first,
        "end": last,
        "sections": sections,
        "hours": hours,
        "total_hours": round(sum(hours.values()), 1),
        "contributions": {k: v for k, v in commits.items() if k != "by_task"},
    }


def _spec_date(repo: Repository, path: str, key: str) -> str:
    from taskgov.interop.native import _document

    state = _document(repo, path).get("state")
    value = state.get(key) if isinstance(state, dict) else None
    return str(value)[:10] if value else ""


def contributions(repo: Repository, first: str, last: str) -> dict[str, Any]:
    """The commits dated ``first``..``last`` (UTC days, inclusive): the contribution log's,
    and those of HEAD's history it lacks, derived as the log derives them (a commit counts
    once): how many, AI-assisted, lines, types and commits per task."""
    from taskgov.git.history import walk
    from taskgov.log.ops import store_for
    from taskgov.log.records import derive

    seen: dict[str, dict[str, Any]] = {}

    def count(record: Mapping[str, Any]) -> None:
        when = str(record.get("date") or "")[:10]
        sha = str(record.get("commit") or "")[:7]
        if first <= when <= last and sha and sha not in seen:
            tasks = [record.get("task_id"), *(record.get("task_ids") or [])]
            seen[sha] = {
                "ai": bool(record.get("ai_assisted")),
                "added": _int(record.get("lines_added")),
                "removed": _int(record.get("lines_removed")),
                "tasks": {str(t) for t in tasks if t},
                "type": str(record.get("type") or ""),
            }

    records, _ = store_for(repo.config).read()
    for logged in records:
        count(logged.record)
    # Commits the log does not hold yet (not synced, or no hooks): derived as the log would.
    since, until = f"--since={first}T00:00:00Z", f"--until={last}T23:59:59Z"
    for commit in walk(repo.root, ["HEAD"], numstat=True, extra=[since, until]):
        if commit.sha[:7] not in seen:
            count(derive(commit, repo.config, "", None))
    by_task: Counter[str] = Counter(t for e in seen.values() for t in e["tasks"])
    return {
        "commits": len(seen),
        "ai_assisted": sum(e["ai"] for e in seen.values()),
        "lines_added": sum(e["added"] for e in seen.values()),
        "lines_removed": sum(e["removed"] for e in seen.values()),
        "types": dict(sorted(Counter(e["type"] for e in seen.values() if e["type"]).items())),
        "by_task": dict(by_task),
    }


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def render_weekly(report: Mapping[str, Any]) -> str:
    """The report as the weekly task-log Markdown (``taskgov import markdown`` reads it)."""
    from taskgov.output import md_cell
    from taskgov.render.diagrams import hours as shown_hours

    lines = [f"# Weekly report {report['week']} ({report['start']} to {report['end']})", ""]
    for key, heading, mark in SECTIONS:
        rows = report["sections"][key]
        lines += [f"## {heading}", ""]
        if not rows:
            lines += ["Nothing.", ""]
            continue
        lines += ["| Date | Task | ID | Hours | Status | Notes |", "|---|---|---|---|---|---|"]
        for r in rows:
            cells = [r["date"], r["task"], r["id"], shown_hours(r["hours"]), mark, r["notes"]]
            lines.append("| " + " | ".join(md_cell(str(c)) for c in cells) + " |")
        lines += ["", f"Hours: {shown_hours(report['hours'][key])} h", ""]
    lines += [f"**Weekly total: {shown_hours(report['total_hours'])} h**", ""]
    c = report["contributions"]
    lines += ["## Contributions", ""]
    lines.append(
        f"- {c['commits']} commit{'s' if c['commits'] != 1 else ''}, {c['ai_assisted']} "
        f"AI-assisted, +{c['lines_added']:,} / -{c['lines_removed']:,} lines"
    )
    if c["types"]:
        lines.append("- " + ", ".join(f"{md_cell(k)} {v}" for k, v in c["types"].items()))
    return "\n".join(lines) + "\n"
