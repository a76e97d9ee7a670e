"""dag.json and waves.json: a plan in the shape of the T.A.S.K.S v3 artifacts.

Both validate against the T.A.S.K.S v3 schemas (``dag.schema.json``, ``waves.schema.json``)
whenever the plan has at least one task. They are byte-for-byte reproducible: keys sorted,
floats rounded to a fixed precision, the time taken from the plan, and ``artifact_hash`` the
SHA-256 of the compact normalised JSON of the document without that field.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from taskgov.spec.task import id_key

FORMAT_VERSION = "1"
GENERATOR = "taskgov"
FLOAT_DIGITS = 6
# What a task brings to the plan; computed fields (slack, start...) stay out of tasks_hash.
_TASK_INPUTS = (
    "id",
    "title",
    "status",
    "priority",
    "milestone",
    "optimistic",
    "likely",
    "pessimistic",
    "estimate_source",
    "resources",
)


def normalize(value: Any) -> Any:
    """Plain JSON values with floats rounded to ``FLOAT_DIGITS`` (``-0.0`` and non-finite
    numbers made harmless), tuples as lists, keys as strings."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        rounded = round(value, FLOAT_DIGITS)
        return 0.0 if rounded == 0 else rounded
    if isinstance(value, Mapping):
        return {str(k): normalize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    return str(value)


def content_hash(value: Any) -> str:
    """SHA-256 of the compact, key-sorted JSON of ``normalize(value)``."""
    text = json.dumps(normalize(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def dumps(document: Mapping[str, Any]) -> str:
    """``document`` with ``meta.artifact_hash`` filled in, as stable indented JSON with a
    trailing newline. The hash covers the document without the hash itself."""
    data = normalize(document)
    meta = {k: v for k, v in data.get("meta", {}).items() if k != "artifact_hash"}
    data["meta"] = meta
    data["meta"] = {**meta, "artifact_hash": content_hash(data)}
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def tasks_hash(plan: Mapping[str, Any]) -> str:
    """SHA-256 of what was planned: each task's inputs and every declared edge."""
    return content_hash(
        {
            "tasks": [{k: t.get(k) for k in _TASK_INPUTS} for t in plan.get("tasks", ())],
            "edges": list(plan.get("edges", ())),
            "soft_edges": list(plan.get("soft_edges", ())),
        }
    )


_last_plan_id: list[tuple[Mapping[str, Any], str]] = []


def plan_id(plan: Mapping[str, Any]) -> str:
    """A short, stable id of the whole plan, shared by dag.json, waves.json and Plan.md.

    Hashing a 10,000-task plan takes a second, and the three artifacts ask for it in turn,
    so the id of the last plan object asked about is kept (plans are not changed once made).
    """
    if _last_plan_id and _last_plan_id[0][0] is plan:
        return _last_plan_id[0][1]
    found = "plan-" + content_hash(plan)[:16]
    _last_plan_id[:] = [(plan, found)]
    return found


def depths(plan: Mapping[str, Any]) -> dict[str, int]:
    """Task id -> the number of edges on the longest chain of hard dependencies leading to
    it (0 for a task that waits for nothing; tasks caught in a cycle stay at 0)."""
    order = [str(t["id"]) for t in plan.get("tasks", ())]
    known = set(order)
    successors: dict[str, list[str]] = {i: [] for i in order}
    waiting = dict.fromkeys(order, 0)
    for edge in plan.get("edges", ()):
        source, target = str(edge["from"]), str(edge["to"])
        if source in known and target in known and source != target:
            successors[source].append(target)
            waiting[target] += 1
    depth = dict.fromkeys(order, 0)
    queue = [i for i in order if not waiting[i]]
    while queue:
        current = queue.pop()
        for nxt in successors[current]:
            depth[nxt] = max(depth[nxt], depth[current] + 1)
            waiting[nxt] -= 1
            if not waiting[nxt]:
                queue.append(nxt)
    return depth


def dag_document(plan: Mapping[str, Any]) -> dict[str, Any]:
    """dag.json: nodes (depth, critical path, parallel opportunity), edges (``transitive``
    marks the redundant ones), soft edges kept apart, metrics and analysis."""
    depth = depths(plan)
    per_level: dict[int, int] = {}
    for level in depth.values():
        per_level[level] = per_level.get(level, 0) + 1
    critical = set(plan.get("critical_path", ()))
    nodes = [
        {
            "id": str(t["id"]),
            "depth": depth[str(t["id"])],
            "critical_path": bool(t.get("critical")) or str(t["id"]) in critical,
            # Other tasks at the same depth: none of them can wait for this one.
            "parallel_opportunity": per_level[depth[str(t["id"])]] - 1,
        }
        for t in plan.get("tasks", ())
    ]
    redundant = {(str(e["from"]), str(e["to"])) for e in plan.get("redundant_edges", ())}
    edges = []
    seen = set()
    for edge in plan.get("edges", ()):
        pair = (str(edge["from"]), str(edge["to"]))
        seen.add(pair)
        edges.append(_edge(pair, str(edge.get("type", "technical")), pair in redundant))
    for pair in sorted(redundant - seen, key=lambda p: (id_key(p[0]), id_key(p[1]))):
        edges.append(_edge(pair, "implied", True))
    cycles = [list(c) for c in plan.get("cycles", ())]
    return {
        "meta": {
            "version": FORMAT_VERSION,
            "plan_id": plan_id(plan),
            "tasks_hash": tasks_hash(plan),
            "generated": {"at": plan.get("generated_at"), "by": GENERATOR},
            "scope": plan.get("scope"),
            "unit": plan.get("unit", "hours"),
        },
        "nodes": nodes,
        "edges": edges,
        "soft_edges": [
            {k: e.get(k) for k in ("from", "to", "type", "confidence", "hard", "reason")}
            for e in plan.get("soft_edges", ())
        ],
        "metrics": _metrics(plan, depth, per_level),
        "analysis": {
            "ok": not cycles,
            "errors": ["dependency cycle: " + " -> ".join([*c, c[0]]) for c in cycles if c],
            "warnings": [],
        },
    }


def _edge(pair: tuple[str, str], edge_type: str, transitive: bool) -> dict[str, Any]:
    return {"from": pair[0], "to": pair[1], "type": edge_type, "transitive": transitive}


def _metrics(
    plan: Mapping[str, Any], depth: Mapping[str, int], per_level: Mapping[int, int]
) -> dict[str, Any]:
    given = plan.get("metrics") or {}
    kept = _count_types(plan.get("edges", ()))
    dropped = _count_types(plan.get("soft_edges", ()))
    metrics: dict[str, Any] = {
        "nodes": _integer(given.get("nodes"), len(depth)),
        "edges": _integer(given.get("edges"), len(plan.get("edges", ()))),
        "width_approx": _integer(given.get("width"), max(per_level.values(), default=0)),
        "longest_path_length": _integer(
            given.get("longest_path"), max(depth.values(), default=-1) + 1
        ),
        "critical_path": [str(i) for i in plan.get("critical_path", ())],
        "kept_by_type": kept,
        "dropped_by_type": dropped,
    }
    if _is_number(given.get("density")):
        metrics["edge_density"] = given["density"]
    if isinstance(given.get("isolated_tasks"), int):
        metrics["isolated_tasks"] = given["isolated_tasks"]
    if _is_number(given.get("verb_first_share")):
        metrics["verb_first_pct"] = given["verb_first_share"] * 100
    return metrics


def _count_types(edges: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for edge in edges:
        kind = str(edge.get("type") or "technical")
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _integer(value: object, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    if math.isfinite(value) and value == int(value):
        return int(value)
    return default


def waves_document(plan: Mapping[str, Any]) -> dict[str, Any]:
    """waves.json: the waves as lists of task ids, exactly the T.A.S.K.S v3 shape (which
    admits nothing else; per-wave detail is in Plan.md and ``taskgov plan --json``)."""
    return {
        "meta": {"version": FORMAT_VERSION, "planId": plan_id(plan)},
        "waves": [[str(i) for i in wave] for wave in plan.get("waves", ()) if wave],
    }
