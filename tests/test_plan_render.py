"""Plan artifacts: golden Plan.md, dag.json and waves.json; determinism; Mermaid and DOT
escaping; the cap on large diagrams; write_artifacts touching nothing else.

Regenerate the golden files after an intended change with
``TASKGOV_REGEN=1 python -m pytest tests/test_plan_render.py`` and review the diff.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from taskgov.render.plan import (
    MAX_DIAGRAM_TASKS,
    render_dag_json,
    render_dot,
    render_markdown,
    render_mermaid,
    render_waves_json,
    write_artifacts,
)
from tests.conftest import DATA as TEST_DATA

DATA = TEST_DATA / "plan"
SCHEMAS = TEST_DATA / "tasks-v3" / "schemas"  # copied from the T.A.S.K.S project (MIT)
REGEN = bool(os.environ.get("TASKGOV_REGEN"))
AWKWARD = [
    'Fix "quotes" & <tags>',
    "hash #1; semi; 100%",
    "brackets [x] (y) {z} | pipe",
    "colon: here",
    "`code` and %% comment",
    "émoji 🚀 ünïcødé",
    "end",
    "line\nbreak\ttab",
    "back\\slash",
    "section",
    "#quot;",
]
AWKWARD_IDS = ["end", "o1", "x", "graph", "Ünï-ß", "a.b:c", "a b", "a_b", "a-b", "click", "1st"]
NODE_LINE = re.compile(r'^  (t_\w+)\["([^"]*)"\]$')
GANTT_TASK = re.compile(r"^  ([^:\n]+) :(crit, )?(t_\w+), (\d+), (\d+)$")


def sample() -> dict[str, Any]:
    plan: dict[str, Any] = json.loads((DATA / "input.json").read_text(encoding="utf-8"))
    return plan


def awkward_plan(count: int = len(AWKWARD_IDS)) -> dict[str, Any]:
    """A chain of tasks with hostile ids and titles; every third one critical."""
    ids = [*AWKWARD_IDS, *(f"TASK-{n:04d}" for n in range(max(0, count - len(AWKWARD_IDS))))]
    ids = ids[:count]
    tasks = [
        {
            "id": task_id,
            "title": AWKWARD[n % len(AWKWARD)],
            "expected": 1.5,
            "critical": n % 3 == 0,
            "earliest_start": 1.5 * n,
            "earliest_finish": 1.5 * (n + 1),
        }
        for n, task_id in enumerate(ids)
    ]
    edges = [
        {"from": a, "to": b, "type": "technical", "confidence": 1.0, "hard": True}
        for a, b in itertools.pairwise(ids)
    ]
    return {
        "version": 1,
        "generated_at": "2026-11-21T10:00:00Z",
        "tasks": tasks,
        "edges": edges,
        "soft_edges": [{"from": ids[0], "to": ids[-1], "type": "knowledge", "hard": False}],
        "critical_path": [t["id"] for t in tasks if t["critical"]],
        "waves": [[i] for i in ids],
    }


# --- golden files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("Plan.md", render_markdown),
        ("dag.json", render_dag_json),
        ("waves.json", render_waves_json),
    ],
)
def test_golden(name: str, render: Any) -> None:
    text = render(sample())
    golden = DATA / name
    if REGEN:
        golden.write_bytes(text.encode("utf-8"))
    assert text == golden.read_bytes().decode("utf-8"), (
        f"{name} changed: if intended, rerun with TASKGOV_REGEN=1 and review the diff"
    )


def test_same_plan_same_bytes_whatever_the_key_order() -> None:
    plan = sample()
    shuffled = json.loads(json.dumps(plan, sort_keys=True))
    shuffled["tasks"] = [dict(reversed(list(t.items()))) for t in shuffled["tasks"]]
    for render in (render_markdown, render_dag_json, render_waves_json, render_mermaid):
        assert render(plan) == render(copy.deepcopy(plan)) == render(shuffled)


def test_documents_end_with_one_newline() -> None:
    for text in (render_markdown(sample()), render_dag_json(sample()), render_waves_json(sample())):
        assert text.endswith("\n")
        assert not text.endswith("\n\n")


def test_artifact_hash_covers_the_normalized_document_without_itself() -> None:
    for text in (render_dag_json(sample()), render_waves_json(sample())):
        document = json.loads(text)
        claimed = document["meta"].pop("artifact_hash")
        compact = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert claimed == hashlib.sha256(compact.encode("utf-8")).hexdigest()


def test_hashes_follow_the_content() -> None:
    plan = sample()
    before = json.loads(render_dag_json(plan))["meta"]
    plan["tasks"][0]["likely"] = 9
    after = json.loads(render_dag_json(plan))["meta"]
    assert before["tasks_hash"] != after["tasks_hash"]
    assert before["artifact_hash"] != after["artifact_hash"]
    plan = sample()
    plan["tasks"][0]["slack"] = 5.0  # computed, not an input: the inputs are unchanged
    assert json.loads(render_dag_json(plan))["meta"]["tasks_hash"] == before["tasks_hash"]


def test_floats_are_rounded_for_stable_bytes() -> None:
    plan = sample()
    plan["metrics"]["density"] = 0.1 + 0.2
    assert '"edge_density": 0.3,' in render_dag_json(plan)


# --- T.A.S.K.S v3 shape ---------------------------------------------------------------------


def test_dag_json_has_the_tasks_v3_shape() -> None:
    dag = json.loads(render_dag_json(sample()))
    assert {"meta", "nodes", "edges", "metrics", "analysis"} <= set(dag)
    assert {"version", "artifact_hash", "tasks_hash"} <= set(dag["meta"])
    assert dag["meta"]["generated"] == {"at": "2026-11-21T10:00:00Z", "by": "taskgov"}
    for node in dag["nodes"]:
        assert set(node) == {"id", "depth", "critical_path", "parallel_opportunity"}
    for edge in dag["edges"]:
        assert set(edge) == {"from", "to", "type", "transitive"}
    assert set(dag["metrics"]) <= set(_schema("dag")["properties"]["metrics"]["properties"])
    assert dag["analysis"]["ok"] is True
    depths = {n["id"]: n["depth"] for n in dag["nodes"]}
    assert depths == {
        "TASK-2026-006": 0,
        "TASK-2026-008": 0,
        "TASK-2026-009": 0,
        "TASK-2026-010": 1,
        "TASK-2026-011": 2,
        "TASK-2026-012": 0,
    }
    implied = [e for e in dag["edges"] if e["transitive"]]
    assert implied == [
        {"from": "TASK-2026-006", "to": "TASK-2026-011", "type": "implied", "transitive": True}
    ]


def test_a_redundant_edge_listed_among_the_edges_is_marked_transitive() -> None:
    plan = sample()
    plan["edges"].append(
        {"from": "TASK-2026-006", "to": "TASK-2026-011", "type": "technical", "hard": True}
    )
    edges = json.loads(render_dag_json(plan))["edges"]
    assert [e for e in edges if e["transitive"]] == [
        {"from": "TASK-2026-006", "to": "TASK-2026-011", "type": "technical", "transitive": True}
    ]


def test_waves_json_has_exactly_the_tasks_v3_shape() -> None:
    waves = json.loads(render_waves_json(sample()))
    assert set(waves) == {"meta", "waves"}
    assert set(waves["meta"]) == {"version", "planId", "artifact_hash"}
    assert re.fullmatch(r"[0-9a-f]{64}", waves["meta"]["artifact_hash"])
    assert waves["waves"] == sample()["waves"]
    dag = json.loads(render_dag_json(sample()))
    assert waves["meta"]["planId"] == dag["meta"]["plan_id"]


@pytest.mark.parametrize("name", ["dag", "waves"])
def test_artifacts_validate_against_the_tasks_v3_schemas(name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    render = render_dag_json if name == "dag" else render_waves_json
    for plan in (sample(), awkward_plan(200)):
        jsonschema.Draft202012Validator(_schema(name)).validate(json.loads(render(plan)))


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    return schema


def test_cycles_make_the_analysis_fail_and_show_in_plan_md() -> None:
    plan = sample()
    plan["cycles"] = [["TASK-2026-010", "TASK-2026-011"]]
    dag = json.loads(render_dag_json(plan))
    assert dag["analysis"]["ok"] is False
    assert dag["analysis"]["errors"] == [
        "dependency cycle: TASK-2026-010 -> TASK-2026-011 -> TASK-2026-010"
    ]
    assert "TASK-2026-010 → TASK-2026-011 → TASK-2026-010" in render_markdown(plan)


def test_a_plan_with_only_ids_still_renders() -> None:
    plan = {"tasks": [{"id": "A"}, {"id": "B"}], "edges": [{"from": "A", "to": "B"}]}
    markdown = render_markdown(plan)
    assert "| A | - |" in markdown
    assert "t_A --> t_B" in render_mermaid(plan)
    assert json.loads(render_dag_json(plan))["nodes"][1]["depth"] == 1
    assert render_dot(plan).count("->") == 1
    assert render_markdown({}).startswith("# Plan\n")


# --- Mermaid and DOT escaping ---------------------------------------------------------------


def test_mermaid_node_ids_are_safe_and_unique_and_labels_are_escaped() -> None:
    plan = awkward_plan()
    text = render_mermaid(plan)
    assert text.startswith("flowchart LR\n")
    nodes = [NODE_LINE.match(line) for line in text.splitlines()[1:] if "[" in line]
    assert all(nodes), text
    ids = [m.group(1) for m in nodes if m]
    assert len(ids) == len(set(ids)) == len(plan["tasks"])
    for match in nodes:
        assert match is not None
        label = match.group(2)
        stripped = re.sub(r"#(\w+);", "", label.replace("<br/>", ""))
        assert not set(stripped) & set('"#<>`;:&%|\n\t'), label


def test_mermaid_labels_decode_to_the_title() -> None:
    plan = awkward_plan()
    text = render_mermaid(plan)
    labels = [m.group(2) for line in text.splitlines() if (m := NODE_LINE.match(line))]
    decoded = [_decode(label.split("<br/>")[1]) for label in labels]
    assert decoded[0] == 'Fix "quotes" & <tags>'
    assert decoded[1] == "hash #1; semi; 100%"
    assert decoded[7] == "line break tab"
    assert decoded[10] == "#quot;"


def _decode(label: str) -> str:
    named = {"quot": '"', "amp": "&", "lt": "<", "gt": ">"}
    return re.sub(
        r"#(\w+);", lambda m: named.get(m.group(1)) or chr(int(m.group(1))), label
    ).replace("…", "")


def test_gantt_lines_parse_and_never_start_with_a_keyword() -> None:
    plan = awkward_plan()
    plan["schedule"] = [
        {"id": t["id"], "start": t["earliest_start"], "finish": t["earliest_finish"]}
        for t in plan["tasks"]
    ]
    markdown = render_markdown(plan)
    gantt = markdown.split("```mermaid\ngantt\n", 1)[1].split("```", 1)[0]
    tasks = [line for line in gantt.splitlines() if not line.startswith(("  title", "  date"))]
    tasks = [line for line in tasks if not line.startswith(("  axis", "  today", "  section"))]
    assert len(tasks) == len(plan["tasks"])
    for line in tasks:
        match = GANTT_TASK.match(line)
        assert match, line
        assert not re.match(r"(?i)(section|click|title|excludes)\b", match.group(1)), line
        assert int(match.group(5)) - int(match.group(4)) == 1500  # 1.5 h in milliseconds
    assert "  dateFormat x\n  axisFormat %s\n" in gantt


def test_dot_quotes_ids_and_labels() -> None:
    text = render_dot(awkward_plan())
    assert '"a b" -> "a_b"' in text
    assert r'label="1st\n#quot;\n1.5 h"' in text
    assert r"back\\slash" in text
    assert r"Fix \"quotes\" & <tags>" in text
    if shutil.which("dot"):
        subprocess.run(["dot", "-Tsvg"], input=text, text=True, capture_output=True, check=True)


# --- large plans ----------------------------------------------------------------------------


def test_large_plans_are_capped_with_a_note() -> None:
    plan = awkward_plan(500)
    markdown = render_markdown(plan)
    graph = markdown.split("```mermaid\nflowchart LR\n", 1)[1].split("```", 1)[0]
    shown = [m.group(1) for line in graph.splitlines() if (m := NODE_LINE.match(line))]
    assert len(shown) == MAX_DIAGRAM_TASKS
    assert f"Showing {MAX_DIAGRAM_TASKS} of 500 tasks" in markdown
    critical = plan["critical_path"]
    assert len(critical) > MAX_DIAGRAM_TASKS  # the critical path alone fills the diagram
    assert shown[:2] == ["t_end", "t_graph"]  # the first critical tasks
    assert markdown.count(":crit, ") == MAX_DIAGRAM_TASKS
    full = render_mermaid(plan)
    assert sum(1 for line in full.splitlines() if NODE_LINE.match(line)) == 500
    assert "Showing" not in render_markdown(awkward_plan(MAX_DIAGRAM_TASKS))


def test_the_cap_takes_the_critical_path_then_the_earliest_waves() -> None:
    plan = awkward_plan(100)
    plan["critical_path"] = ["TASK-0050", "TASK-0060"]
    text = render_mermaid(plan, max_tasks=5)
    shown = [m.group(1) for line in text.splitlines() if (m := NODE_LINE.match(line))]
    assert shown == ["t_end", "t_o1", "t_x", "t_TASK_0050", "t_TASK_0060"]


# --- writing --------------------------------------------------------------------------------


def test_write_artifacts_creates_the_directory_and_touches_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "build" / "plan"
    out.mkdir(parents=True)
    (out / "notes.md").write_bytes(b"mine\r\n")
    (out / "Plan.md.orig").write_bytes(b"keep")
    paths = write_artifacts(sample(), out)
    assert [p.name for p in paths] == ["dag.json", "waves.json", "Plan.md"]
    assert sorted(p.name for p in out.iterdir()) == [
        "Plan.md",
        "Plan.md.orig",
        "dag.json",
        "notes.md",
        "waves.json",
    ]
    assert (out / "notes.md").read_bytes() == b"mine\r\n"
    assert (out / "Plan.md.orig").read_bytes() == b"keep"
    assert (out / "Plan.md").read_text(encoding="utf-8") == render_markdown(sample())
    assert write_artifacts(sample(), tmp_path / "new" / "dir")[0].is_file()


def test_write_artifacts_is_reproducible_and_leaves_unchanged_files_alone(tmp_path: Path) -> None:
    first = {p.name: p.read_bytes() for p in write_artifacts(sample(), tmp_path)}
    identities = {p.name: p.stat().st_ino for p in tmp_path.iterdir()}
    second = {p.name: p.read_bytes() for p in write_artifacts(sample(), tmp_path)}
    assert first == second
    assert identities == {p.name: p.stat().st_ino for p in tmp_path.iterdir()}
    changed = sample()
    changed["generated_at"] = "2026-11-22T10:00:00Z"
    write_artifacts(changed, tmp_path)
    assert (tmp_path / "dag.json").read_bytes() != first["dag.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Plan.md", "dag.json", "waves.json"]
