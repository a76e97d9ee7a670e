"""Write an :class:`~taskgov.interop.model.ImportedPlan` as task specs.

Each spec is the text ``taskgov new`` writes (:func:`taskgov.scaffold.render_new`: the
repository's template, its comments kept) with the imported values filled in; what the spec
format has no field for goes under ``references`` (``imported_from``, ``tag``,
``imported_field``) or ``progress``, so nothing in the source is dropped. Files go through
:mod:`taskgov.fsops`: all or none, never over an existing spec.

:func:`import_into` adds the specs to an existing repository (an id that is taken refuses the
whole import); :func:`import_to_new` builds a new repository in a temporary directory beside
``--out`` and renames it into place only when it is complete, so a failed import leaves nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taskgov.config import POLICY_PATH, Config
from taskgov.errors import UsageError
from taskgov.interop.model import Dependency, ImportedPlan, ImportedTask, Link, SourceFinding

Progress = Callable[[int], None]  # called with the number of specs rendered so far

# Ids a new imported repository accepts: any safe file name (the importers keep source ids).
IMPORTED_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass
class ImportSummary:
    format: str
    source: str
    root: Path
    written: list[Path] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    dependencies: int = 0
    kept_fields: int = 0
    findings: list[SourceFinding] = field(default_factory=list)
    commit: str = ""
    renamed: dict[str, str] = field(default_factory=dict)  # source id -> spec id, when differ

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "source": self.source,
            "repository": str(self.root),
            "tasks": len(self.written),
            "dependencies": self.dependencies,
            "statuses": dict(sorted(self.statuses.items())),
            "kept_fields": self.kept_fields,
            "renamed": self.renamed,
            "findings": [str(f) for f in self.findings],
            "files": [p.relative_to(self.root).as_posix() for p in self.written],
            "commit": self.commit,
        }


def assign_ids(plan: ImportedPlan, prefix: str = "") -> dict[str, str]:
    """Give every task a spec id: ``prefix`` + its source id, made a safe file name, a
    repeated id numbered (``T001-2``); references follow. Returns source id -> spec id for
    the ids that changed, and records why in each task and in the plan's findings."""
    renamed: dict[str, str] = {}
    first: dict[str, str] = {}
    taken: set[str] = set()
    repeats: Counter[str] = Counter(task.id for task in plan.tasks)
    for task in plan.tasks:
        original = task.id
        base = _safe(prefix + original)
        new_id, number = base, 1
        while new_id in taken:
            number += 1
            new_id = f"{base}-{number}"
        taken.add(new_id)
        first.setdefault(original, new_id)
        if new_id != prefix + original:
            task.keep("id", original)
            renamed[original if original not in renamed else f"{original}#{number}"] = new_id
        task.id = new_id
    for original, count in sorted(repeats.items()):
        if count > 1:
            plan.findings.append(
                SourceFinding(
                    plan.source,
                    None,
                    f"id {original} is used by {count} tasks: imported as "
                    f"{first[original]} and numbered copies; references to it name the first",
                )
            )

    def target(source_id: str) -> str:
        return first.get(source_id) or _safe(prefix + source_id)

    for task in plan.tasks:
        task.depends_on = [
            Dependency(target(d.task), d.type, d.confidence, d.hard, d.reason)
            for d in task.depends_on
            if target(d.task) != task.id
        ]
        task.links = [Link(target(link.task), link.relationship) for link in task.links]
    return renamed


def _safe(task_id: str) -> str:
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", task_id.strip()).replace("..", ".")
    text = text.lstrip("._-")[:128]
    return text or "task"


def render_spec(task: ImportedTask, plan: ImportedPlan, config: Config, blocks: list[str]) -> str:
    """The spec text of one imported task, from the repository's template."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Q
    from ruamel.yaml.scalarstring import LiteralScalarString

    from taskgov.scaffold import NewTask, render_new
    from taskgov.spec.yamlio import dump_roundtrip, roundtrip

    title = _clean(task.title).strip()
    first_line = title.splitlines()[0].strip() if title else ""
    if first_line != title:
        task.keep("title", title)
    plain = [d.task for d in task.depends_on if not d.type]
    estimate = None
    if task.estimate is not None:
        points = sorted(task.estimate)
        if list(task.estimate) != points:
            task.keep("estimate", list(task.estimate))
        estimate = tuple(_number(p) for p in points)
    request = NewTask(
        title=first_line or task.id,
        task_id=task.id,
        depends_on=tuple(dict.fromkeys(plain)),
        estimate=estimate,  # type: ignore[arg-type]
        priority=task.priority,
        milestone=_clean(task.milestone),
        status=task.status,
        effort=_clean(task.effort),
        assignee=_clean(task.assignee),
        task_type=_clean(task.task_type),
        created_by=f"taskgov import {plan.format}",
    )
    doc = roundtrip().load(render_new(request, task.id, config))

    def text(value: str) -> Any:
        value = _clean(value)  # exactly as given: "|-" when there is no final line break
        return LiteralScalarString(value) if "\n" in value.rstrip("\n") else Q(value)

    if task.created_at and "created_at" in doc:
        doc["created_at"] = Q(_clean(task.created_at))
    if task.phase:
        classification = doc["classification"]
        position = list(classification.keys()).index("milestone") + 1
        classification.insert(position, "phase", Q(_clean(task.phase)))
    if task.objective and "objective" in doc:
        doc["objective"] = text(task.objective)
    if task.criteria:
        criteria = CommentedSeq()
        for criterion, verification in task.criteria:
            criteria.append(
                CommentedMap([("criterion", text(criterion)), ("verification", text(verification))])
            )
        doc["acceptance_criteria"] = criteria
    state = doc["state"]
    if blocks:
        listed = CommentedSeq(Q(b) for b in blocks)
        listed.fa.set_flow_style()
        state["blocks"] = listed
    for key, value in (("started_at", task.started_at), ("completed_at", task.completed_at)):
        if value:
            state[key] = Q(_clean(value))
    source_id = str(task.kept.get("id", task.id))
    note = f"Imported from {plan.source} ({plan.format} {source_id})"
    if isinstance(doc.get("progress"), CommentedSeq) and doc["progress"]:
        doc["progress"][0]["note"] = Q(note)
        for extra in task.notes:
            entry = CommentedMap(doc["progress"][0])
            entry["note"] = text(extra)
            doc["progress"].append(entry)
    references = CommentedSeq()
    references.append(
        CommentedMap(
            [
                ("type", Q("imported_from")),
                ("path", Q(_clean(plan.source))),
                ("section", Q(_clean(source_id))),
                ("description", Q(plan.format)),
            ]
        )
    )
    for tag in task.tags:
        references.append(CommentedMap([("type", Q("tag")), ("description", Q(_clean(tag)))]))
    for link in task.links:
        references.append(
            CommentedMap(
                [
                    ("type", Q("related_task")),
                    ("task_id", Q(link.task)),
                    ("relationship", Q(link.relationship)),
                ]
            )
        )
    for name, value in task.kept.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        references.append(
            CommentedMap(
                [("type", Q("imported_field")), ("section", Q(name)), ("description", text(shown))]
            )
        )
    doc["references"] = references
    typed = [d for d in task.depends_on if d.type]
    if typed:
        planning = doc.get("planning")
        if not isinstance(planning, CommentedMap):
            planning = doc["planning"] = CommentedMap()
        entries = CommentedSeq()
        for dep in typed:
            entry = CommentedMap(
                [
                    ("task", Q(dep.task)),
                    ("type", Q(dep.type)),
                    ("confidence", dep.confidence),
                    ("hard", dep.hard),
                ]
            )
            if dep.reason:
                entry["reason"] = Q(_clean(dep.reason))
            entry.fa.set_flow_style()
            entries.append(entry)
        planning["depends_on"] = entries
    result = dump_roundtrip(doc)
    return result if result.endswith("\n") else result + "\n"


def _clean(value: str) -> str:
    """Source text without terminal control characters (newlines and tabs stay)."""
    return _CONTROL.sub("", str(value))


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _texts(
    plan: ImportedPlan, config: Config, progress: Progress | None = None
) -> list[tuple[ImportedTask, Path, str]]:
    blocks: dict[str, list[str]] = {}
    for task in plan.tasks:
        for dep in task.depends_on:
            if not dep.type:
                blocks.setdefault(dep.task, []).append(task.id)
    texts = []
    for count, task in enumerate(plan.tasks, start=1):
        written = list(dict.fromkeys(blocks.get(task.id, [])))
        texts.append(
            (task, config.active_dir / f"{task.id}.yaml", render_spec(task, plan, config, written))
        )
        if progress is not None:
            progress(count)
    return texts


def _summary(plan: ImportedPlan, root: Path, renamed: dict[str, str]) -> ImportSummary:
    return ImportSummary(
        format=plan.format,
        source=plan.source,
        root=root,
        statuses=Counter(task.status for task in plan.tasks),
        dependencies=plan.dependency_count(),
        kept_fields=sum(len(task.kept) for task in plan.tasks),
        findings=list(plan.findings),
        renamed=renamed,
    )


def import_into(
    plan: ImportedPlan, config: Config, prefix: str = "", progress: Progress | None = None
) -> ImportSummary:
    """Add the plan's specs to the repository of ``config``; refuses (writing nothing) when
    an id is taken or does not match ``tasks.id_pattern``."""
    from taskgov.fsops import Write, locked, write_files
    from taskgov.repo import load_repo

    renamed = assign_ids(plan, prefix)
    if not plan.tasks:
        raise UsageError(f"{plan.source}: no tasks found; nothing written")
    pattern = re.compile(config.id_pattern)
    for task in plan.tasks:
        if not pattern.search(task.id):
            raise UsageError(
                f"imported id {task.id} does not match tasks.id_pattern {config.id_pattern!r}; "
                "nothing written (use --out DIR for a new repository, or --prefix P)"
            )
    with locked(config.root):
        repo = load_repo(config=config, cache=False)
        known = {f.task_id for f in repo.files if f.task_id}
        for task in plan.tasks:
            path = config.active_dir / f"{task.id}.yaml"
            if task.id in known or path.exists():
                raise UsageError(
                    f"task {task.id} already exists in {config.root}; nothing written "
                    "(use --prefix P to import under other ids)"
                )
        texts = _texts(plan, config, progress)
        write_files(config.root, [Write(path, text, exclusive=True) for _, path, text in texts])
    summary = _summary(plan, config.root, renamed)
    summary.written = [path for _, path, _ in texts]
    return summary


def import_to_new(
    plan: ImportedPlan, out: Path, prefix: str = "", progress: Progress | None = None
) -> ImportSummary:
    """A new git repository in ``out`` (absent or empty) with the ``taskgov init`` layout,
    a policy that accepts the imported ids, and one commit holding the specs."""
    from taskgov.fsops import Write, write_files
    from taskgov.git.history import rev_parse
    from taskgov.interop.repository import commit_everything, git_init
    from taskgov.policy.load import load_config
    from taskgov.scaffold import init

    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out}: exists and is not an empty directory; nothing written")
    renamed = assign_ids(plan, prefix)
    if not plan.tasks:
        raise UsageError(f"{plan.source}: no tasks found; nothing written")
    out = out.absolute()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out.parent}: cannot create ({exc.strerror or exc})") from None
    staging = out.parent / f".{out.name}.taskgov-import-{os.getpid()}"
    try:
        staging.mkdir()
        git_init(staging)
        init(load_config(staging))
        policy = staging / POLICY_PATH
        if policy.is_file():
            text = policy.read_text(encoding="utf-8")
            line = f"  id_pattern: '{IMPORTED_ID_PATTERN}'  # imported ids are kept\n"
            text = text.replace("\ntasks:\n", f"\ntasks:\n{line}", 1)
            write_files(staging, [Write(policy, text)])
        config = load_config(staging)
        texts = _texts(plan, config, progress)
        write_files(staging, [Write(path, text, exclusive=True) for _, path, text in texts])
        commit_everything(
            staging,
            f"chore: import {len(texts)} tasks from {plan.format} {Path(plan.source).name}\n",
        )
        if out.exists():
            out.rmdir()
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    summary = _summary(plan, out, renamed)
    summary.written = [out / path.relative_to(config.root) for _, path, _ in texts]
    summary.commit = rev_parse(out, "HEAD") or ""
    return summary
