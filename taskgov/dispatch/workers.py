"""Who can take tasks: the ``workers:`` list of policy.yaml, or N anonymous workers.

``workers:`` (a top-level section of ``docs/governance/policy.yaml``)::

    workers:
      - name: alice
        skills: [python, docs]   # takes only tasks whose planning.skills are all here
        capacity: 2              # tasks at once (default 1)
      - name: agent-1            # no skills list: takes any task

Without that section there are ``--workers N`` (else ``planning.workers``, else 1)
anonymous workers, ``worker-1`` ... ``worker-N``, that take any task.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from taskgov.config import POLICY_PATH, Config
from taskgov.errors import ConfigError, UsageError


@dataclass(frozen=True)
class Worker:
    name: str
    skills: frozenset[str] | None = None  # None: any task
    capacity: int = 1

    def can_take(self, skills: Iterable[str]) -> bool:
        return self.skills is None or set(skills) <= self.skills

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "skills": None if self.skills is None else sorted(self.skills),
            "capacity": self.capacity,
        }


def policy_workers(root: Path) -> list[Worker] | None:
    """The ``workers:`` list of policy.yaml; ``None`` when there is none. A malformed
    entry raises ``ConfigError`` naming ``policy.yaml:LINE``."""
    policy = root / POLICY_PATH
    if not policy.exists():
        return None
    from taskgov.spec.yamlio import YamlProblem, decode, load, read_bytes

    try:
        data, locations = load(decode(read_bytes(policy, root)))
    except YamlProblem as problem:  # load_config has read the same file already
        raise ConfigError(f"{POLICY_PATH}: {problem.message}") from None
    if not isinstance(data, dict) or data.get("workers") is None:
        return None
    entries = data["workers"]

    def bad(path: tuple[Any, ...], message: str) -> ConfigError:
        found = locations.find(("workers", *path))
        line = f":{found[0]}" if found else ""
        dotted = ".".join(str(p) for p in ("workers", *path))
        return ConfigError(f"{POLICY_PATH}{line}: {dotted}: {message}")

    if not isinstance(entries, list):
        raise bad((), "a list of workers (name, skills, capacity)")
    workers: list[Worker] = []
    for n, given in enumerate(entries):
        entry = {"name": given} if isinstance(given, str) else given
        if not isinstance(entry, dict):
            raise bad((n,), "a worker is a name or a mapping with name, skills, capacity")
        unknown = sorted(set(entry) - {"name", "skills", "capacity"})
        if unknown:
            raise bad((n, unknown[0]), "unknown key (name, skills, capacity)")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise bad((n, "name"), "a worker needs a name")
        skills = entry.get("skills")
        if skills is not None and (
            not isinstance(skills, list) or not all(isinstance(s, str) for s in skills)
        ):
            raise bad((n, "skills"), "a list of skill names")
        capacity = entry.get("capacity", 1)
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
            raise bad((n, "capacity"), "a whole number of tasks at once, at least 1")
        if any(w.name == name.strip() for w in workers):
            raise bad((n, "name"), f"{name.strip()!r} is listed twice")
        workers.append(
            Worker(name.strip(), None if skills is None else frozenset(skills), capacity)
        )
    return workers


def dispatch_workers(config: Config, count: int | None = None) -> tuple[list[Worker], int]:
    """The workers and how many tasks may run at once: the policy's list (``count`` caps
    the total), else ``count`` (else ``planning.workers``, else 1) anonymous workers."""
    if count is not None and count < 1:
        raise UsageError("--workers: at least 1")
    listed = policy_workers(config.root)
    if listed:
        total = sum(w.capacity for w in listed)
        return listed, min(total, count) if count is not None else total
    number = count or config.workers or 1
    return [Worker(f"worker-{i}") for i in range(1, number + 1)], number
