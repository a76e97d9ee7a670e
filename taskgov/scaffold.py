"""``taskgov init`` (the layout) and ``taskgov new`` (a spec from the template)."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from taskgov.config import POLICY_PATH, Config
from taskgov.errors import InputError, UsageError
from taskgov.fsops import Write, locked, write_files
from taskgov.hooks.install import HOOKS
from taskgov.spec.effort import EffortError, parse_effort
from taskgov.spec.model import PRIORITIES, STATUSES
from taskgov.spec.salvage import SAFE_ID
from taskgov.templates import template_text, templates_dir


@dataclass(frozen=True)
class InitResult:
    created: tuple[str, ...]
    kept: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {"created": list(self.created), "kept": list(self.kept)}


def init(config: Config) -> InitResult:
    """Create whatever part of the layout is missing; never touch what exists."""
    paths = config.paths
    files: list[tuple[str, str, bool]] = [
        (paths.template, template_text("task-spec.yaml"), False),
        (POLICY_PATH, _policy_text(config.root), False),
        (
            "docs/governance/AI-CONTRIBUTION-POLICY.md",
            template_text("AI-CONTRIBUTION-POLICY.md"),
            False,
        ),
        (f"{paths.decisions}/template.yaml", template_text("decision.yaml"), False),
        *((f"{paths.hooks}/{hook}", template_text(f"githooks/{hook}"), True) for hook in HOOKS),
    ]
    keep_dirs = (paths.active, paths.completed, paths.contributions)
    created: list[str] = []
    kept: list[str] = []
    root = config.root
    with locked(root):  # refuses a bare repository before anything is written
        _gitattributes(root, f"{paths.contributions}/*.jsonl merge=union", created, kept)
        for directory in keep_dirs:
            target = root / directory
            if target.is_dir():
                kept.append(directory + "/")
                continue
            _refuse_file(target, directory)
            _create(root, target / ".gitkeep", "")
            created.append(directory + "/")
        for relative, text, executable in files:
            target = root / relative
            if target.exists() or target.is_symlink():
                kept.append(relative)
                continue
            _refuse_file(target.parent, str(Path(relative).parent))
            _create(root, target, text)
            if executable:
                target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            created.append(relative)
    return InitResult(tuple(created), tuple(kept))


def _create(root: Path, target: Path, text: str) -> None:
    with contextlib.suppress(FileExistsError):  # created meanwhile by someone: theirs is kept
        write_files(root, [Write(target, text, exclusive=True)])


def _policy_text(root: Path) -> str:
    """The policy template, with ``target_branch`` set to the branch this repository works on
    (``master``, ``trunk``...; ``main`` outside git)."""
    from taskgov.git.refs import default_branch

    text = template_text("policy.yaml")
    branch = default_branch(root)
    if branch and branch != "main":
        text = text.replace(
            "  target_branch: main\n", f"  target_branch: {_yaml_scalar(branch)}\n", 1
        )
    return text


def _yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that reads back as the same string."""
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9._/-]*", text) and text.lower() not in (
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "null",
        "y",
        "n",
    ):
        return text
    return "'" + text.replace("'", "''") + "'"


def _gitattributes(root: Path, line: str, created: list[str], kept: list[str]) -> None:
    """Add the log's merge line to .gitattributes (appended; nothing else touched). git's
    built-in ``union`` driver needs no per-clone configuration, so branches that both logged
    merge in any clone; a record logged twice that way is folded by the next commit's hook."""
    path = root / ".gitattributes"
    data = path.read_bytes() if path.is_file() else b""
    if line in data.decode("utf-8", errors="replace").splitlines():
        kept.append(".gitattributes")
        return
    separator = b"\n" if data and not data.endswith(b"\n") else b""
    write_files(root, [Write(path, data + separator + line.encode() + b"\n")])
    created.append(".gitattributes")


def _refuse_file(path: Path, shown: str) -> None:
    for candidate in (path, *path.parents):
        if candidate.exists():
            if not candidate.is_dir():
                raise InputError(f"{shown}: cannot create, {candidate} is a file")
            return


# --------------------------------------------------------------------------- new


@dataclass(frozen=True)
class NewTask:
    title: str
    task_id: str | None = None
    depends_on: tuple[str, ...] = ()
    estimate: tuple[str, str, str] | None = None
    priority: str = "medium"
    milestone: str = ""
    status: str = "ready"
    resources: tuple[tuple[str, float], ...] = ()
    effort: str = ""
    assignee: str = ""
    task_type: str = ""
    created_by: str = ""


# Template values worth keeping: enumerations and settings, not example text.
_KEEP = re.compile(
    r"^(version|classification\.(type|complexity)|testing\.[^.]+\.(required|coverage_target)"
    r"|documentation\.[^.]+)$"
)


def now_utc() -> dt.datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible output)."""
    from taskgov.git.history import source_date_epoch

    epoch = source_date_epoch()
    if epoch is not None:
        return dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc)
    return dt.datetime.now(tz=dt.timezone.utc)


def next_id(config: Config, existing: set[str], year: int) -> str:
    prefix = f"{config.id_prefix}-{year}-"
    numbers = [
        int(tail)
        for task_id in existing
        if task_id.startswith(prefix) and (tail := task_id[len(prefix) :]).isdigit()
    ]
    number = max(numbers, default=0) + 1
    candidate = f"{prefix}{number:03d}"
    while candidate in existing or (config.active_dir / f"{candidate}.yaml").exists():
        number += 1
        candidate = f"{prefix}{number:03d}"
    if not re.search(config.id_pattern, candidate):
        raise UsageError(
            f"generated id {candidate} does not match tasks.id_pattern {config.id_pattern!r}; "
            "give one with --id"
        )
    return candidate


def check_new(request: NewTask, config: Config, known: set[str]) -> None:
    if not request.title.strip():
        raise UsageError("the title must not be empty")
    if "\n" in request.title:
        raise UsageError("the title must be one line")
    if request.status not in STATUSES:
        raise UsageError(f"--status {request.status!r}: expected one of {', '.join(STATUSES)}")
    if request.priority not in PRIORITIES:
        raise UsageError(
            f"--priority {request.priority!r}: expected one of {', '.join(PRIORITIES)}"
        )
    if request.task_id is not None:
        task_id = request.task_id
        if not SAFE_ID.match(task_id) or ".." in task_id:
            raise UsageError(
                f"--id {task_id!r} is not a safe file name (letters, digits, '.', '_', '-')"
            )
        if not re.search(config.id_pattern, task_id):
            raise UsageError(
                f"--id {task_id!r} does not match tasks.id_pattern {config.id_pattern!r}"
            )
        if task_id in known:
            raise UsageError(f"--id {task_id}: a task with this id already exists")
    for dep in request.depends_on:
        if dep not in known:
            raise UsageError(f"--depends-on {dep}: no such task")
        if dep == request.task_id:
            raise UsageError(f"--depends-on {dep}: a task cannot depend on itself")
    if request.effort:
        try:
            parse_effort(
                request.effort,
                hours_per_day=config.hours_per_day,
                days_per_week=config.days_per_week,
            )
        except EffortError as exc:
            raise UsageError(f"--effort: {exc}") from None


def parse_estimate(text: str, config: Config) -> tuple[str, str, str]:
    """``"O,M,P"`` (hours, or effort strings like ``2d``) checked for order."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 3 or not all(parts):
        raise UsageError(f"--estimate {text!r}: expected three values O,M,P (e.g. 4,6,12)")
    hours = []
    for part in parts:
        try:
            estimate = parse_effort(
                part, hours_per_day=config.hours_per_day, days_per_week=config.days_per_week
            )
        except EffortError as exc:
            raise UsageError(f"--estimate: {exc}") from None
        assert estimate is not None
        hours.append(estimate.likely)
    if not hours[0] <= hours[1] <= hours[2]:
        raise UsageError(f"--estimate {text!r}: needs optimistic <= likely <= pessimistic")
    return parts[0], parts[1], parts[2]


def parse_resource(text: str) -> tuple[str, float]:
    name, sep, amount = text.partition("=")
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", name.strip()):
        raise UsageError(f"--resource {text!r}: expected NAME=N (e.g. gpu=1)")
    try:
        value = float(amount)
    except ValueError:
        raise UsageError(f"--resource {text!r}: {amount!r} is not a number") from None
    if value < 0 or math.isnan(value):
        raise UsageError(f"--resource {text!r}: the amount cannot be negative")
    return name.strip(), value


def template_source(config: Config) -> tuple[str, str]:
    """(text, shown name) of the repository's template, else the bundled one."""
    path = config.path(config.paths.template)
    if path.is_file():
        from taskgov.spec.yamlio import YamlProblem, read_text

        try:
            return read_text(path, config.root), config.paths.template
        except YamlProblem as problem:
            raise InputError(f"{config.paths.template}: {problem.message}") from None
    return template_text("task-spec.yaml"), str(templates_dir() / "task-spec.yaml")


def render_new(request: NewTask, task_id: str, config: Config) -> str:
    """The text of a new spec: the template's structure and comments, its example values
    cleared, the request's values filled in."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Q

    from taskgov.spec.yamlio import roundtrip

    text, shown = template_source(config)
    try:
        doc = roundtrip().load(text)
    except YAMLError as exc:
        raise InputError(f"{shown}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(doc, CommentedMap):
        raise InputError(f"{shown}: the template must be a mapping of fields")
    _clear(doc, "")

    now = now_utc()
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    doc["task_id"] = Q(task_id)
    doc["title"] = Q(request.title.strip())
    for key in ("created_at", "updated_at"):
        if key in doc:
            doc[key] = Q(stamp)
    ownership = _section(doc, "ownership")
    if request.created_by:
        ownership["created_by"] = Q(request.created_by)
    if request.assignee:
        ownership["assignee"] = Q(request.assignee)
    classification = _section(doc, "classification")
    classification["priority"] = Q(request.priority)
    if request.task_type:
        classification["type"] = Q(request.task_type)
    if request.milestone:
        classification["milestone"] = Q(request.milestone)
    if request.effort:
        classification["estimated_effort"] = Q(request.effort)
    state = _section(doc, "state")
    state["status"] = Q(request.status)
    blocked = CommentedSeq(Q(dep) for dep in request.depends_on)
    blocked.fa.set_flow_style()
    state["blocked_by"] = blocked
    if "progress" in doc:
        note = CommentedMap(
            [
                ("date", Q(now.strftime("%Y-%m-%d"))),
                ("author", Q(request.created_by)),
                ("note", Q("Task created")),
            ]
        )
        doc["progress"] = CommentedSeq([note])
        moved = doc.ca.items.pop("progress", None)
        if moved and len(moved) > 2 and moved[2] is not None:
            note.ca.items["note"] = [None, None, moved[2], None]
    if request.estimate or request.resources:
        planning = _section(doc, "planning")
        if request.estimate:
            estimate = CommentedMap(
                (name, _number_or_text(value))
                for name, value in zip(
                    ("optimistic", "likely", "pessimistic"), request.estimate, strict=True
                )
            )
            estimate.fa.set_flow_style()
            planning["estimate"] = estimate
        if request.resources:
            resources = CommentedMap((n, _whole(v)) for n, v in request.resources)
            resources.fa.set_flow_style()
            planning["resources"] = resources

    from taskgov.spec.yamlio import dump_roundtrip

    text = dump_roundtrip(doc)
    return text if text.endswith("\n") else text + "\n"


def _number_or_text(value: str) -> Any:
    try:
        return _whole(float(value))
    except ValueError:
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString

        return DoubleQuotedScalarString(value)


def _whole(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _section(doc: Any, key: str) -> Any:
    from ruamel.yaml.comments import CommentedMap

    if not isinstance(doc.get(key), CommentedMap):
        doc[key] = CommentedMap()
    return doc[key]


def _clear(node: Any, prefix: str, keep: re.Pattern[str] = _KEEP) -> None:
    """Empty the template's example values, keeping keys, comments and settings."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    for key in list(node.keys()):
        path = f"{prefix}{key}"
        value = node[key]
        if isinstance(value, CommentedMap):
            _clear(value, path + ".", keep)
        elif isinstance(value, CommentedSeq):
            if value:
                _keep_trailing_comment(node, key, value)
            empty = CommentedSeq()
            empty.fa.set_flow_style()
            node[key] = empty
        elif isinstance(value, str) and not keep.match(path):
            if value.endswith("\n"):
                _keep_blank_line_after(node, key)
            node[key] = DoubleQuotedScalarString("")


def _keep_blank_line_after(parent: Any, key: Any) -> None:
    """A block scalar ends with its own newline; its one-line replacement needs it back."""
    slot = parent.ca.items.get(key)
    if slot and len(slot) > 2 and slot[2] is not None and slot[2].value.startswith("\n"):
        slot[2].value = "\n" + slot[2].value


def _keep_trailing_comment(parent: Any, key: Any, value: Any) -> None:
    """Comments after a list (often the next section's header) belong to its last item in
    ruamel; move them onto ``key`` before the list is emptied. An end-of-line comment of the
    last item describes that item, so it goes with it."""
    token = _take_trailing_comment(value)
    if token is None:
        return
    text = token.value
    if not text.startswith("\n"):
        text = "\n" + text.split("\n", 1)[1] if "\n" in text else ""
    if not text.strip():
        return
    token.value = text
    parent.ca.items.setdefault(key, [None, None, None, None])[2] = token


def _take_trailing_comment(node: Any) -> Any:
    """Detach and return the comment that follows the last scalar inside ``node``."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    found: Any = None
    while isinstance(node, (CommentedMap, CommentedSeq)) and node:
        end = getattr(node.ca, "end", None)
        if end:
            found = ("end", node)
        last: Any = list(node.keys())[-1] if isinstance(node, CommentedMap) else len(node) - 1
        slot = node.ca.items.get(last)
        position = 2 if isinstance(node, CommentedMap) else 0
        if slot and len(slot) > position and slot[position] is not None:
            found = ("slot", slot, position)
        node = node[last]
    if found is None:
        return None
    if found[0] == "end":
        tokens = found[1].ca.end
        token = tokens[0]
        token.value = "".join(t.value for t in tokens)
        found[1].ca.end = []
        return token
    _, slot, position = found
    token = slot[position]
    slot[position] = None
    return token


@dataclass(frozen=True)
class Created:
    task_id: str
    path: Path
    linked: tuple[Path, ...] = ()  # prerequisites whose state.blocks now lists the new task
    notes: tuple[str, ...] = ()  # prerequisites that could not be updated, and why


def write_new(request: NewTask, config: Config, known: dict[str, Path]) -> Created:
    """Create the spec file and list it in each prerequisite's ``state.blocks`` (a one-line
    edit that leaves the rest of that file as it was): both files or neither, under the
    repository's write lock, so parallel runs get distinct ids and lose no update. Never
    overwrites a spec."""
    check_new(request, config, set(known))
    if not config.active_dir.is_dir():
        raise InputError(f"{config.paths.active}: no such directory (run `taskgov init`)")
    taken = set(known)
    with locked(config.root):
        while True:  # next_id skips files that exist; a writer without the lock may race us
            task_id = request.task_id or next_id(config, taken, now_utc().year)
            path = config.active_dir / f"{task_id}.yaml"
            text = render_new(request, task_id, config)
            links, notes = prerequisite_edits(task_id, request.depends_on, known, config)
            try:
                write_files(config.root, [Write(path, text, exclusive=True), *links])
            except FileExistsError:
                if request.task_id is not None:
                    raise UsageError(f"{path.relative_to(config.root)} already exists") from None
                taken.add(task_id)
                continue
            linked = tuple(write.path for write in links)
            return Created(task_id, path, linked, notes)


def prerequisite_edits(
    task_id: str, prerequisites: tuple[str, ...], known: dict[str, Path], config: Config
) -> tuple[list[Write], tuple[str, ...]]:
    """The new text of each prerequisite that lists ``task_id`` in ``state.blocks`` (read
    now: call it under the lock), and a note for each that cannot be edited safely."""
    from taskgov.spec.edit import EditError, append_to_list
    from taskgov.spec.yamlio import YamlProblem, decode, read_bytes

    edits: list[Write] = []
    notes: list[str] = []
    for prerequisite in prerequisites:
        spec = known[prerequisite]
        shown = spec.relative_to(config.root).as_posix()
        try:
            raw = read_bytes(spec, config.root)
            before = decode(raw)
            after = append_to_list(before, "state", "blocks", task_id)
        except (EditError, YamlProblem) as exc:
            reason = exc.message if isinstance(exc, YamlProblem) else str(exc)
            notes.append(f"{shown}: state.blocks not updated ({reason}); add {task_id} by hand")
            continue
        if after != before:
            bom = raw[:3] if raw.startswith(b"\xef\xbb\xbf") else b""  # kept, like every byte
            edits.append(Write(spec, bom + after.encode("utf-8")))
    return edits, tuple(notes)
