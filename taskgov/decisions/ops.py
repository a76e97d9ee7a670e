"""``taskgov decision new|list|show|accept|supersede|index``."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from taskgov.config import Config
from taskgov.decisions.store import Decision, DecisionSet, load_decisions
from taskgov.errors import CheckFailed, InputError, NotFoundError, UsageError

INDEX_START = "<!-- taskgov:decisions:start -->"
INDEX_END = "<!-- taskgov:decisions:end -->"
_KEEP = re.compile(r"^(status|trigger\.type|review\.status)$")


def next_decision_id(config: Config, date: str) -> str:
    """``DECISION-<date>-NNN``: the next number free across the whole directory."""
    directory = config.root / config.paths.decisions
    numbers = [
        int(match.group(1))
        for path in (directory.glob("DECISION-*.y*ml") if directory.is_dir() else [])
        if (match := re.search(r"-(\d{3,})$", path.stem))
    ]
    return f"DECISION-{date}-{max(numbers, default=0) + 1:03d}"


def new_decision(config: Config, title: str) -> tuple[str, Path]:
    """Write a record from the template: the title is the summary, status proposed, the rest
    of the structure empty until someone fills it in."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Q

    from taskgov.fsops import locked
    from taskgov.scaffold import _clear, now_utc
    from taskgov.spec.yamlio import atomic_write, dump_roundtrip, roundtrip
    from taskgov.templates import template_text

    title = title.strip()
    if not title or "\n" in title:
        raise UsageError("the summary must be one non-empty line")
    directory = config.root / config.paths.decisions
    template = directory / "template.yaml"
    text = (
        template.read_text(encoding="utf-8")
        if template.is_file()
        else template_text("decision.yaml")
    )
    try:
        doc = roundtrip().load(text)
    except YAMLError as exc:
        raise InputError(f"{template}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(doc, CommentedMap):
        raise InputError(f"{template}: the template must be a mapping of fields")
    _clear(doc, "", _KEEP)
    now = now_utc()
    with locked(config.root):  # parallel runs take distinct numbers
        for _attempt in range(100):  # a writer without the lock may take a number first
            decision_id = next_decision_id(config, now.strftime("%Y-%m-%d"))
            doc["decision_id"] = Q(decision_id)
            doc["timestamp"] = Q(now.strftime("%Y-%m-%dT%H:%M:%SZ"))
            doc["summary"] = Q(title)
            doc["status"] = Q("proposed")
            if isinstance(doc.get("review"), CommentedMap):
                doc["review"]["status"] = Q("pending")
            path = directory / f"{decision_id}.yaml"
            out = dump_roundtrip(doc)
            try:
                text = out if out.endswith("\n") else out + "\n"
                atomic_write(path, text, exclusive=True, root=config.root)
            except FileExistsError:
                continue
            return decision_id, path
    raise UsageError(f"{path.relative_to(config.root)} already exists")


def list_decisions(
    config: Config, status: str | None = None, task: str | None = None
) -> dict[str, Any]:
    found = load_decisions(config)
    return {
        "decisions": [
            d.as_dict()
            for d in found.decisions
            if (status is None or d.status == status) and (task is None or task in d.tasks)
        ],
        "problems": [
            {**p.as_dict(), "read": "unreadable"}
            for p in found.problems
            if any(d.unreadable and d.path == p.path for d in found.decisions)
        ],
    }


def _find(config: Config, decision_id: str) -> tuple[DecisionSet, Decision]:
    found = load_decisions(config)
    decision = found.get(decision_id)
    if decision is None:
        raise NotFoundError(f"no decision {decision_id!r} in {config.paths.decisions}")
    if decision.unreadable:
        raise InputError(f"{decision.unreadable} (the record cannot be read)")
    return found, decision


def show_decision(config: Config, decision_id: str, fmt: str = "md") -> str:
    found, decision = _find(config, decision_id)
    path = config.root / decision.path
    if fmt == "yaml" or (decision.kind == "adr" and fmt == "md"):
        return path.read_text(encoding="utf-8")
    data = found.documents.get(decision.id)
    if fmt == "json":
        return json.dumps(
            {**decision.as_dict(), "record": data}, indent=2, ensure_ascii=False, default=str
        )
    from taskgov.decisions.model import DecisionRecord
    from taskgov.render import render

    record = DecisionRecord.model_validate(data)
    return render("decision.md.j2", d=decision, record=record)


def _agent_reason(config: Config, environ: dict[str, str]) -> str | None:
    from taskgov.git import config_value
    from taskgov.policy.commits import is_agent

    for name, _ in config.agent_env:
        if environ.get(name, "").strip():
            return f"{name} is set: an AI agent is running this command"
    identity = " ".join(
        filter(
            None, (config_value(config.root, "user.name"), config_value(config.root, "user.email"))
        )
    )
    if identity and is_agent(identity, config.agents_allowed):
        return f"the git identity {identity!r} is an AI agent's"
    return None


def accept_decision(config: Config, decision_id: str, environ: dict[str, str] | None = None) -> str:
    """Mark a record accepted by the person running the command. Refused (``CheckFailed``)
    when run by an agent and the policy requires a human (the default), and when the record is
    incomplete: no summary, fewer than two alternatives, or not exactly one selected."""
    from taskgov.fsops import locked

    with locked(config.root):  # read, edit and write with no other writer in between
        return _accept(config, decision_id, environ)


def _accept(config: Config, decision_id: str, environ: dict[str, str] | None) -> str:
    from taskgov.git import config_value
    from taskgov.scaffold import now_utc
    from taskgov.spec.edit import EditError, set_scalar
    from taskgov.spec.yamlio import atomic_write

    found, decision = _find(config, decision_id)
    if decision.kind != "yaml":
        raise UsageError(f"{decision_id} is a Markdown ADR; taskgov reads those, it does not edit")
    if config.decisions_need_human:
        reason = _agent_reason(config, dict(os.environ) if environ is None else environ)
        if reason:
            raise CheckFailed(
                f"{decision_id} not accepted: the policy requires a person to "
                f"accept decisions, and {reason}"
            )
    missing = _incomplete(decision)
    if missing:
        raise CheckFailed(
            f"{decision_id} not accepted: {'; '.join(missing)} ({decision.path}); "
            "complete the record first"
        )
    who = config_value(config.root, "user.name") or os.environ.get("USER", "")
    path = config.root / decision.path
    text = path.read_text(encoding="utf-8")
    try:
        text = set_scalar(text, ("status",), "accepted")
        text = set_scalar(text, ("decided_by",), who)
        review = (
            ("status", "approved"),
            ("reviewer", who),
            ("reviewed_at", now_utc().strftime("%Y-%m-%dT%H:%M:%SZ")),
        )
        if "review" in (found.documents.get(decision.id) or {}):
            for key, value in review:
                text = set_scalar(text, ("review", key), value)
        else:  # a record written without the section: add it at the end, the rest untouched
            text = (
                text.rstrip("\n")
                + "\nreview:\n"
                + "".join(
                    f"  {key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in review
                )
            )
    except EditError as exc:
        raise InputError(f"{decision.path}: cannot update it safely: {exc}") from None
    atomic_write(path, text, root=config.root)
    return decision.path


def _incomplete(decision: Decision) -> list[str]:
    """What an accepted record must have and this one lacks (what TG170-TG172 report)."""
    from taskgov.output import plural

    missing = []
    if not decision.summary:
        missing.append("the summary is empty")
    if decision.alternatives < 2:
        missing.append(f"{plural(decision.alternatives, 'alternative')}, at least two needed")
    if decision.selected != 1:
        missing.append(f"{plural(decision.selected, 'alternative')} selected, exactly one needed")
    return missing


def supersede(config: Config, old_id: str, new_id: str) -> list[str]:
    """Record that ``new_id`` replaces ``old_id`` on both records; returns the files changed.

    Refused (``UsageError``) when ``old_id`` already supersedes ``new_id``, directly or through
    other records: the loop would leave no decision in force. Both files are written or
    neither (a run killed between the two renames is completed by the next one)."""
    from taskgov.fsops import locked

    with locked(config.root):
        return _supersede(config, old_id, new_id)


def _supersede(config: Config, old_id: str, new_id: str) -> list[str]:
    from taskgov.fsops import Write, write_files
    from taskgov.spec.edit import EditError, append_to_list, set_scalar

    if old_id == new_id:
        raise UsageError("a decision cannot supersede itself")
    found = load_decisions(config)
    old, new = found.get(old_id), found.get(new_id)
    for wanted, decision in ((old_id, old), (new_id, new)):
        if decision is None:
            raise NotFoundError(f"no decision {wanted!r} in {config.paths.decisions}")
        if decision.kind != "yaml":
            raise UsageError(f"{wanted} is a Markdown ADR; taskgov reads those, it does not edit")
    assert old is not None
    assert new is not None
    from taskgov.decisions.supersession import chain, supersedes_graph

    loop = chain(supersedes_graph(found.decisions), old_id, new_id)
    if loop is not None:
        raise UsageError(
            f"{new_id} cannot supersede {old_id}: {old_id} already supersedes it "
            f"({' -> '.join(loop)}), and a loop leaves no decision in force"
        )
    try:
        old_text = (config.root / old.path).read_text(encoding="utf-8")
        old_text = set_scalar(old_text, ("status",), "superseded")
        old_text = append_to_list(old_text, None, "superseded_by", new_id)
        new_text = (config.root / new.path).read_text(encoding="utf-8")
        new_text = append_to_list(new_text, None, "supersedes", old_id)
    except EditError as exc:
        raise InputError(f"cannot update the records safely: {exc}") from None
    pairs = ((old, old_text), (new, new_text))  # both checked before any write
    write_files(config.root, [Write(config.root / d.path, text) for d, text in pairs])
    return [d.path for d, _ in pairs]


def index_markdown(config: Config) -> str:
    """A table of every decision and a Mermaid graph of supersession and task links."""
    from urllib.parse import quote

    from taskgov.output import md_cell
    from taskgov.render.diagrams import mermaid_text

    decisions = load_decisions(config).decisions
    lines = [
        "| Decision | Status | Date | Summary | Tasks | Superseded by |",
        "|---|---|---|---|---|---|",
    ]
    for d in decisions:
        link = quote(os.path.relpath(d.path, config.paths.decisions))
        cells = [d.status, d.timestamp[:10], d.summary]
        cells += [", ".join(d.tasks), ", ".join(d.superseded_by)]
        lines.append(f"| [{md_cell(d.id)}]({link}) | " + " | ".join(map(md_cell, cells)) + " |")
    graph = ["```mermaid", "graph LR"]
    for d in decisions:
        graph.append(f'  {_node(d.id)}["{mermaid_text(d.id)}<br/>{mermaid_text(d.status)}"]')
    for d in decisions:
        for old in d.supersedes:
            graph.append(f"  {_node(d.id)} -- supersedes --> {_node(old)}")
        for task in d.tasks:
            graph.append(f'  {_node(d.id)} -. governs .-> {_node(task)}(["{mermaid_text(task)}"])')
    graph.append("```")
    return "\n".join(["# Decisions", "", *lines, "", *graph, ""])


def _node(identifier: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", identifier)


def write_index(config: Config) -> Path:
    """Refresh ``index.md`` between its markers; what is outside them is kept."""
    from taskgov.fsops import locked

    with locked(config.root):
        return _write_index(config)


def _write_index(config: Config) -> Path:
    from taskgov.spec.yamlio import atomic_write

    path = config.root / config.paths.decisions / "index.md"
    block = f"{INDEX_START}\n{index_markdown(config)}{INDEX_END}\n"
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if INDEX_START in text and INDEX_END in text:
            head, rest = text.split(INDEX_START, 1)
            block = head + block + rest.split(INDEX_END, 1)[1].lstrip("\n")
        else:
            block = text.rstrip("\n") + "\n\n" + block
    atomic_write(path, block, root=config.root)
    return path
