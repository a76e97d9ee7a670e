"""Rules across specs: duplicate ids, dangling references, blocks/blocked_by agreement, cycles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from taskgov.checks.catalog import RULES
from taskgov.git.activity import Activity
from taskgov.graph.cycles import find_cycles
from taskgov.problems import Problem
from taskgov.repo import Repository


def _problem(
    rule: str, path: str, line: int | None, task: str | None, message: str, field: str | None = None
) -> Problem:
    return Problem(path, line, None, rule, RULES[rule].severity, message, task, field)


def duplicate_ids(repo: Repository) -> Iterator[Problem]:
    by_id: dict[str, list[str]] = defaultdict(list)
    id_lines: dict[str, int | None] = {}
    for file in repo.files:
        if file.task_id:
            by_id[file.task_id].append(file.path)
            id_lines[file.path] = file.task.line("task_id") if file.task else None
    for task_id, paths in sorted(by_id.items()):
        if len(paths) < 2:
            continue
        for path in paths:
            others = ", ".join(p for p in paths if p != path)
            line = id_lines[path]
            yield _problem(
                "TG110",
                path,
                line,
                task_id,
                f"task id {task_id} is also used by {others}",
                "task_id",
            )


def dangling_references(repo: Repository) -> Iterator[Problem]:
    config = repo.config
    for dep in repo.graph.dangling:
        missing = dep.prerequisite if dep.dependent == dep.declared_in else dep.dependent
        path = repo.tasks[dep.declared_in].path
        yield _problem(
            "TG120",
            path,
            dep.line,
            dep.declared_in,
            f"names {missing}, which is in neither "
            f"{config.paths.active} nor {config.paths.completed}",
            dep.source,
        )


def blocks_disagreement(repo: Repository) -> Iterator[Problem]:
    """Each side of a blocks/blocked_by pair should list the other."""
    tasks = repo.tasks
    for task in tasks.values():
        for field, listed, mirror in (
            ("state.blocks", task.blocks, "state.blocked_by"),
            ("state.blocked_by", task.blocked_by, "state.blocks"),
        ):
            for other_id in listed:
                other = tasks.get(other_id)
                if other is None or other.unreadable:
                    continue  # dangling, or its lists are unknown: reported by their own rules
                mirrored = other.blocked_by if mirror == "state.blocked_by" else other.blocks
                if task.id not in mirrored:
                    yield _problem(
                        "TG121",
                        task.path,
                        _line(task, field, other_id),
                        task.id,
                        f"{task.id} lists {other_id} in {field}, but {other_id}'s {mirror} "
                        f"does not list {task.id}",
                        field,
                    )


def _line(task: object, source: str, other: str) -> int | None:
    for dep in getattr(task, "declared", ()):
        if dep.source == source and other in (dep.prerequisite, dep.dependent):
            return dep.line  # type: ignore[no-any-return]
    return None


def cycles(repo: Repository) -> Iterator[Problem]:
    graph = repo.graph
    successors = graph.successors()
    declared = {(e.dependent, e.prerequisite): e.declarations[0] for e in graph.edges}
    for cycle in find_cycles(repo.tasks.keys(), successors):
        first = declared[(cycle[0], cycle[1])]
        path = repo.tasks[first.declared_in].path
        yield _problem(
            "TG130",
            path,
            first.line,
            cycle[0],
            "dependency cycle: " + " -> ".join(cycle),
            first.source,
        )


def cycle_paths(repo: Repository) -> list[list[str]]:
    """Every cycle (one per strongly connected component) as a closed path of ids."""
    return find_cycles(repo.tasks.keys(), repo.graph.successors())


def stale_blocked(repo: Repository, activity: Activity | None = None) -> Iterator[Problem]:
    """``state.status: blocked`` with no unfinished hard dependency: the derived state (the one
    ``list``, ``show``, ``ready`` and ``plan`` use) says ready, so the spec lags."""
    from taskgov.state import derive_states

    # Claims ({}) say nothing about whether a spec lags: the finding is the same in every clone.
    for task_id, state in derive_states(repo, activity, {}).items():
        if not state.stale_blocked:
            continue
        task = repo.tasks[task_id]
        waits = repo.graph.prerequisites().get(task_id) or repo.graph.missing_prerequisites(task_id)
        has = "every hard dependency is complete" if waits else "it has no dependencies"
        yield _problem(
            "TG162",
            task.path,
            task.line("state"),
            task_id,
            f"says blocked, but {has}: taskgov treats the task as ready; set the status to "
            "ready, or name what blocks it in state.blocked_by",
            "state.status",
        )


RULE_SETS = (duplicate_ids, dangling_references, blocks_disagreement, cycles)


def repository_problems(repo: Repository, activity: Activity | None = None) -> list[Problem]:
    """Findings across specs (``activity``: what history says, for the derived states)."""
    problems: list[Problem] = []
    for rule_set in RULE_SETS:
        problems.extend(rule_set(repo))
    problems.extend(stale_blocked(repo, activity))
    return problems
