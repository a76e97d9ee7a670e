"""``taskgov roadmap``: tasks by milestone with their derived status and the progress of each
milestone; ``--write`` keeps the marked section of ``docs/tasks/index.md`` up to date."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from taskgov.config import Config
from taskgov.errors import InputError
from taskgov.git.activity import Activity
from taskgov.repo import Repository
from taskgov.spec.task import id_key
from taskgov.state import TaskState, derive_states

UNSCHEDULED = "Unscheduled"
START = "<!-- taskgov:roadmap:start -->"
END = "<!-- taskgov:roadmap:end -->"
DONE = frozenset({"completed"})
DROPPED = frozenset({"cancelled"})


def roadmap(repo: Repository, activity: Activity | None = None) -> dict[str, Any]:
    """Milestones in natural order (tasks without one last, as "Unscheduled"), each with its
    tasks (derived status, unfinished prerequisites, target version) and progress."""
    states = derive_states(repo, activity)
    prerequisites = repo.graph.prerequisites()
    groups: dict[str, list[dict[str, Any]]] = {}
    for task in repo.tasks.values():
        waiting = {
            e.prerequisite
            for e in prerequisites.get(task.id, ())
            if e.hard and e.ordered and not _finished(states.get(e.prerequisite))
        } | {d.prerequisite for d in repo.graph.missing_prerequisites(task.id) if d.hard}
        groups.setdefault(task.milestone.strip() or UNSCHEDULED, []).append(
            {
                "id": task.id,
                "title": task.title,
                "priority": task.priority,
                "status": states[task.id].status,
                "spec_status": task.status,
                "blocked_by": sorted(waiting, key=id_key),
                "target_version": task.target_version,
                "estimate_hours": round(task.estimate.expected, 4) if task.estimate else None,
            }
        )
    names = sorted((n for n in groups if n != UNSCHEDULED), key=id_key)
    if UNSCHEDULED in groups:
        names.append(UNSCHEDULED)
    milestones = [
        {
            "name": name,
            "target_versions": sorted(
                {t["target_version"] for t in groups[name] if t["target_version"]}, key=id_key
            ),
            "progress": progress(groups[name]),
            "tasks": groups[name],
        }
        for name in names
    ]
    every = [t for m in milestones for t in m["tasks"]]
    return {"milestones": milestones, "progress": progress(every)}


def _finished(state: TaskState | None) -> bool:
    return state is not None and state.status in DONE | DROPPED


def progress(tasks: list[dict[str, Any]]) -> dict[str, Any]:
    """Done out of total (cancelled tasks count in neither), percent done, and expected hours
    done and remaining (tasks without an estimate are counted as ``unestimated``)."""
    live = [t for t in tasks if t["status"] not in DROPPED]
    done = [t for t in live if t["status"] in DONE]
    hours_done = sum(t["estimate_hours"] or 0.0 for t in done)
    hours_left = sum(t["estimate_hours"] or 0.0 for t in live if t["status"] not in DONE)
    return {
        "done": len(done),
        "total": len(live),
        "cancelled": len(tasks) - len(live),
        "percent": round(100 * len(done) / len(live)) if live else 100,
        "hours_done": round(hours_done, 4),
        "hours_remaining": round(hours_left, 4),
        "unestimated": sum(1 for t in live if t["estimate_hours"] is None),
    }


def render_roadmap(data: dict[str, Any]) -> str:
    """The roadmap as Markdown (the body that ``--write`` puts between the markers)."""
    from taskgov.output import md_cell as cell
    from taskgov.render import render
    from taskgov.render.diagrams import hours

    milestones = [
        {
            "name": cell(m["name"]),
            "targets": cell(", ".join(m["target_versions"])),
            "progress": m["progress"],
            "bar": _bar(m["progress"]["percent"]),
            "hours_done": hours(m["progress"]["hours_done"]),
            "hours_remaining": hours(m["progress"]["hours_remaining"]),
            "rows": [
                {
                    "id": cell(t["id"]),
                    "title": cell(t["title"]),
                    "priority": cell(t["priority"]),
                    "status": cell(_status(t)),
                    "blocked_by": cell(", ".join(t["blocked_by"])),
                    "target": cell(t["target_version"]),
                    "hours": hours(t["estimate_hours"]),
                }
                for t in m["tasks"]
            ],
        }
        for m in data["milestones"]
    ]
    total = data["progress"]
    text = render(
        "roadmap.md.j2",
        milestones=milestones,
        total=total,
        hours_done=hours(total["hours_done"]),
        hours_remaining=hours(total["hours_remaining"]),
    )
    return text.rstrip("\n") + "\n"


def _status(task: dict[str, Any]) -> str:
    if task["status"] != task["spec_status"]:
        return f"{task['status']} (spec: {task['spec_status']})"
    return str(task["status"])


def _bar(percent: int, width: int = 10) -> str:
    filled = round(percent * width / 100)
    return "▰" * filled + "▱" * (width - filled)


def roadmap_path(config: Config) -> Path:
    """``index.md`` next to the active task directory (``docs/tasks/index.md``)."""
    return config.root / PurePosixPath(config.paths.active).parent / "index.md"


def write_roadmap(config: Config, markdown: str) -> Path:
    """Put ``markdown`` between the roadmap markers of ``docs/tasks/index.md`` and keep every
    byte outside them. A missing file is created with a heading and the markers; a file
    without markers gets them appended. Raises ``InputError`` (file:line) when the markers
    are unbalanced, duplicated or out of order."""
    from taskgov.fsops import locked

    with locked(config.root):  # read, splice and write with no other writer in between
        return _write_roadmap(config, markdown)


def _write_roadmap(config: Config, markdown: str) -> Path:
    from taskgov.spec.yamlio import atomic_write

    path = roadmap_path(config)
    relative = path.relative_to(config.root).as_posix()
    block = f"{START}\n{markdown}{END}"
    if not path.exists():
        atomic_write(path, f"# Tasks\n\n{block}\n", root=config.root)
        return path
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{relative}: cannot read: {exc}") from None
    start, end = _marker_offsets(text, relative)
    if start is None or end is None:
        separator = (
            "" if not text or text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n"
        )
        updated = f"{text}{separator}{block}\n"
    else:
        updated = text[:start] + block + text[end + len(END) :]
    if updated != text:
        atomic_write(path, updated, root=config.root)
    return path


def _marker_offsets(text: str, relative: str) -> tuple[int | None, int | None]:
    """Offsets of the one start and one end marker (both None when there are none)."""
    found: dict[str, list[int]] = {START: [], END: []}
    for marker, offsets in found.items():
        offset = text.find(marker)
        while offset != -1:
            offsets.append(offset)
            offset = text.find(marker, offset + len(marker))
    starts, ends = found[START], found[END]

    def line(offset: int) -> int:
        return text.count("\n", 0, offset) + 1

    for marker, offsets in found.items():
        if len(offsets) > 1:
            raise InputError(
                f"{relative}:{line(offsets[1])}: second {marker} (the first is on line "
                f"{line(offsets[0])}); keep one pair of roadmap markers"
            )
    if starts and not ends:
        raise InputError(f"{relative}:{line(starts[0])}: {START} has no {END} after it")
    if ends and not starts:
        raise InputError(f"{relative}:{line(ends[0])}: {END} has no {START} before it")
    if starts and ends[0] < starts[0]:
        raise InputError(
            f"{relative}:{line(ends[0])}: {END} comes before {START} (line {line(starts[0])})"
        )
    return (starts[0], ends[0]) if starts else (None, None)
