"""Load decision records (YAML) and Markdown ADRs into plain ``Decision`` objects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from taskgov.checks.findings import Findings
from taskgov.config import Config
from taskgov.problems import Problem
from taskgov.spec.yamlio import YamlProblem, load, read_text

ADR_DIRS = ("docs/adr", "docs/decisions", "doc/adr", "docs/architecture/decisions")
DECISION_ID = re.compile(r"^DECISION-\d{4}-\d{2}-\d{2}-\d{3,}$")


@dataclass(frozen=True)
class Decision:
    id: str
    summary: str
    status: str
    timestamp: str
    path: str
    kind: str = "yaml"  # yaml | adr
    tasks: tuple[str, ...] = ()
    supersedes: tuple[str, ...] = ()
    superseded_by: tuple[str, ...] = ()
    alternatives: int = 0
    selected: int = 0
    lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)
    unreadable: str = ""  # "file:line: why" when the record cannot be read; listed, not used

    def line(self, key: str) -> int | None:
        return next((number for name, number in self.lines if name == key), None)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "summary": self.summary,
            "status": self.status,
            "timestamp": self.timestamp,
            "path": self.path,
            "kind": self.kind,
            "tasks": list(self.tasks),
            "supersedes": list(self.supersedes),
            "superseded_by": list(self.superseded_by),
            "unreadable": self.unreadable or None,
        }


@dataclass(frozen=True)
class DecisionSet:
    decisions: tuple[Decision, ...]
    problems: tuple[Problem, ...]
    documents: dict[str, Any] = field(default_factory=dict, compare=False)  # id -> parsed data

    def get(self, decision_id: str) -> Decision | None:
        return next((d for d in self.decisions if d.id == decision_id), None)


def decision_files(config: Config) -> list[Path]:
    directory = config.root / config.paths.decisions
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.glob("*.y*ml")
        if p.suffix in (".yaml", ".yml") and p.stem != "template" and not p.name.startswith(".")
    )


def load_decisions(config: Config) -> DecisionSet:
    decisions: list[Decision] = []
    problems: list[Problem] = []
    documents: dict[str, Any] = {}
    for path in decision_files(config):
        relpath = path.relative_to(config.root).as_posix()
        decision, data, found = _load_yaml(path, relpath, config)
        problems.extend(found)
        if decision is not None:
            decisions.append(decision)
            documents[decision.id] = data
    for decision, data in _load_adrs(config):
        decisions.append(decision)
        documents[decision.id] = data
    decisions.sort(key=lambda d: (d.kind != "yaml", d.id))
    return DecisionSet(tuple(decisions), tuple(problems), documents)


def decisions_from_texts(config: Config, texts: dict[str, str]) -> DecisionSet:
    """The records in ``texts`` (path -> YAML text), as ``load_decisions`` reads the
    directory's files: for records read from a revision rather than the work tree."""
    decisions: list[Decision] = []
    problems: list[Problem] = []
    documents: dict[str, Any] = {}
    for relpath, text in sorted(texts.items()):
        decision, data, found = parse_decision(text, relpath, config)
        problems.extend(found)
        if decision is not None:
            decisions.append(decision)
            documents[decision.id] = data
    decisions.sort(key=lambda d: (d.kind != "yaml", d.id))
    return DecisionSet(tuple(decisions), tuple(problems), documents)


def _load_yaml(
    path: Path, relpath: str, config: Config
) -> tuple[Decision | None, Any, list[Problem]]:
    try:
        text = read_text(path, config.root)
    except YamlProblem as problem:
        findings = Findings(config, relpath)
        findings.add(problem.rule, problem.message, problem.line, problem.column)
        return _unreadable(path, relpath, problem.line, problem.message), None, findings.problems
    return parse_decision(text, relpath, config)


def parse_decision(
    text: str, relpath: str, config: Config
) -> tuple[Decision | None, Any, list[Problem]]:
    """One decision record's text: the record (a placeholder when it cannot be read), its
    parsed data and its problems."""
    from pydantic import ValidationError

    from taskgov.decisions.model import DecisionRecord
    from taskgov.spec.model import unknown_keys
    from taskgov.spec.validation import _message, _strip_union_tags

    path = PurePosixPath(relpath)
    findings = Findings(config, relpath)
    try:
        data, where = load(text)
    except YamlProblem as problem:
        findings.add(problem.rule, problem.message, problem.line, problem.column)
        return _unreadable(path, relpath, problem.line, problem.message), None, findings.problems
    if not isinstance(data, dict):
        findings.add("TG011", "a decision record must be a mapping of fields", 1)
        message = "a decision record must be a mapping of fields"
        return _unreadable(path, relpath, 1, message), None, findings.problems
    findings.task = data.get("decision_id") if isinstance(data.get("decision_id"), str) else None
    try:
        record = DecisionRecord.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(p for p in error["loc"] if isinstance(p, (str, int)))
            findings.at(where, "TG100", _message(error), _strip_union_tags(loc, data))
        first = findings.problems[-1]
        placeholder = _unreadable(path, relpath, first.line, first.message, data)
        return placeholder, None, findings.problems
    for unknown_path, key in unknown_keys(record):
        findings.at(
            where,
            "TG101",
            f"unknown key {key!r} (not in the decision record format)",
            (*unknown_path, key),
        )
    lines = tuple(
        (key, line)
        for key in (
            "decision_id",
            "summary",
            "alternatives",
            "tasks",
            "supersedes",
            "superseded_by",
            "status",
        )
        if (line := where.line((key,))) is not None
    )
    decision = Decision(
        id=record.decision_id.strip(),
        summary=record.summary.strip(),
        status=record.effective_status(),
        timestamp=record.timestamp,
        path=relpath,
        tasks=tuple(t.strip() for t in record.tasks if t.strip()),
        supersedes=tuple(t.strip() for t in record.supersedes if t.strip()),
        superseded_by=tuple(t.strip() for t in record.superseded_by if t.strip()),
        alternatives=sum(1 for a in record.alternatives if a.option.strip()),
        selected=sum(1 for a in record.alternatives if a.selected),
        lines=lines,
    )
    if decision.id != path.stem:
        findings.at(
            where,
            "TG173",
            f"decision_id {decision.id!r} does not match the file name {path.name!r}",
            ("decision_id",),
        )
    return decision, data, findings.problems


def _unreadable(
    path: Path | PurePosixPath, relpath: str, line: int | None, why: str, data: Any = None
) -> Decision:
    """A record that cannot be read, still listed (status ``unreadable``) under the id it
    gives, else its file name, so that it never silently disappears."""
    written = data.get("decision_id") if isinstance(data, dict) else None
    summary = data.get("summary") if isinstance(data, dict) else None
    where = f"{relpath}:{line}" if line else relpath
    return Decision(
        id=written.strip() if isinstance(written, str) and written.strip() else path.stem,
        summary=summary.strip() if isinstance(summary, str) else "",
        status="unreadable",
        timestamp="",
        path=relpath,
        unreadable=f"{where}: {why}",
    )


_ADR_FILE = re.compile(r"^(\d{3,5})-[^/]+\.md$")
_STATUS_LINE = re.compile(r"^\s*[*-]?\s*status\s*:\s*(.+?)\s*$", re.I | re.M)
_DATE_LINE = re.compile(r"^\s*[*-]?\s*date\s*:\s*(.+?)\s*$", re.I | re.M)


def _load_adrs(config: Config) -> list[tuple[Decision, Any]]:
    """Markdown ADRs (adr-tools, MADR), read-only: id ``ADR-NNNN``, title, status, date."""
    result = []
    for directory in ADR_DIRS:
        base = config.root / directory
        if not base.is_dir():
            continue
        for path in sorted(base.glob("*.md")):
            match = _ADR_FILE.match(path.name)
            if match is None:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            title = next(
                (line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem
            )
            title = re.sub(r"^\d+\.\s*", "", title)
            status = _adr_status(text)
            date = _DATE_LINE.search(text)
            adr_id = f"ADR-{int(match.group(1)):04d}"
            decision = Decision(
                adr_id,
                title,
                status,
                date.group(1) if date else "",
                path.relative_to(config.root).as_posix(),
                "adr",
            )
            result.append((decision, {"markdown": text}))
    return result


def _adr_status(text: str) -> str:
    section = re.search(r"^##\s*Status\s*\n+(.+?)\s*$", text, re.I | re.M)
    found = section.group(1) if section else None
    if found is None:
        line = _STATUS_LINE.search(text)
        found = line.group(1) if line else "proposed"
    word = found.strip().split()[0].lower().strip("*_.,")
    return (
        word
        if word in ("proposed", "accepted", "rejected", "superseded", "deprecated")
        else ("accepted" if word == "approved" else "proposed")
    )
