"""Decision rules: no accepting an incomplete record, no supersession loops (refused by
``supersede``, reported by ``validate``); and the spec text rules TG146/TG147."""

from __future__ import annotations

import pytest

from taskgov.checks.text import is_verb_first, strip_labels
from taskgov.decisions.store import Decision
from taskgov.decisions.supersession import chain, cycles, supersedes_graph
from tests.conftest import GitRepo, spec_yaml

EPOCH = "1795000000"
A, B, C = (f"DECISION-2026-01-0{n}-001" for n in (1, 2, 3))


@pytest.fixture
def governed(run, repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    for name in ("CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT"):
        monkeypatch.delenv(name, raising=False)
    run(repo.path, "init")
    repo.write({"docs/tasks/active/TASK-2026-001.yaml": spec_yaml("TASK-2026-001")})
    return repo


def _record(decision_id: str, alternatives: str, extra: str = "", status: str = "proposed") -> str:
    return (
        f'decision_id: "{decision_id}"\nsummary: "Use X"\nstatus: {status}\n'
        f'decided_by: ""\nreview: {{status: pending, reviewer: "", reviewed_at: ""}}\n'
        f"alternatives:{alternatives}\n" + extra
    )


TWO = "\n  - option: X\n    selected: true\n  - option: Y"


def _write(repo: GitRepo, decision_id: str, text: str) -> None:
    repo.write({f".claude/decisions/{decision_id}.yaml": text})


# --------------------------------------------------------------------------- accept


@pytest.mark.parametrize(
    ("alternatives", "reason"),
    [
        (" []", "0 alternatives, at least two needed"),
        ("\n  - option: X\n    selected: true", "1 alternative, at least two needed"),
        ("\n  - option: X\n  - option: Y", "0 alternatives selected, exactly one needed"),
        (
            "\n  - {option: X, selected: true}\n  - {option: Y, selected: true}",
            "2 alternatives selected",
        ),
    ],
)
def test_accepting_an_incomplete_record_is_refused(
    run, governed: GitRepo, alternatives, reason
) -> None:  # type: ignore[no-untyped-def]
    _write(governed, A, _record(A, alternatives))
    path = governed.path / f".claude/decisions/{A}.yaml"
    before = path.read_bytes()
    refused = run(governed.path, "decision", "accept", A)
    assert refused.code == 1
    assert reason in refused.err
    assert refused.err.count("\n") == 1
    assert path.read_bytes() == before


@pytest.mark.parametrize("with_review", [True, False])
def test_a_complete_record_is_accepted(run, governed: GitRepo, with_review: bool) -> None:  # type: ignore[no-untyped-def]
    text = _record(A, TWO)
    if not with_review:
        text = "".join(line for line in text.splitlines(True) if not line.startswith("review:"))
    _write(governed, A, "# why we chose X\n" + text)
    assert run(governed.path, "decision", "accept", A).code == 0
    shown = run(governed.path, "decision", "show", A, "--format", "json").json()
    assert shown["status"] == "accepted"  # type: ignore[index]
    assert shown["record"]["review"]["reviewer"] == "Test Person"  # type: ignore[index]
    written = (governed.path / f".claude/decisions/{A}.yaml").read_text()
    assert written.startswith("# why we chose X\n")
    assert run(governed.path, "validate").code == 0


# --------------------------------------------------------------------------- supersession


@pytest.mark.parametrize(
    ("done", "refused_pair", "loop"),
    [
        ([(A, B)], (B, A), f"({B} -> {A})"),  # supersede A B, then B A
        ([(A, B), (B, C)], (C, A), f"({C} -> {B} -> {A})"),  # through a third record
    ],
)
def test_a_supersession_loop_is_refused(run, governed: GitRepo, done, refused_pair, loop) -> None:  # type: ignore[no-untyped-def]
    for decision_id in (A, B, C):
        _write(governed, decision_id, _record(decision_id, TWO, status="accepted"))
    for old, new in done:
        assert run(governed.path, "decision", "supersede", old, new).code == 0
    before = governed.snapshot()
    old, new = refused_pair
    refused = run(governed.path, "decision", "supersede", old, new)
    assert refused.code == 2
    assert f"{new} cannot supersede {old}: {old} already supersedes it {loop}" in refused.err
    assert governed.snapshot() == before
    assert run(governed.path, "validate").code == 0


def test_validate_reports_a_loop_written_by_hand(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    _write(governed, A, _record(A, TWO, f'supersedes: ["{B}"]\nsuperseded_by: ["{B}"]\n'))
    _write(governed, B, _record(B, TWO, f'supersedes: ["{A}"]\nsuperseded_by: ["{A}"]\n'))
    report = run(governed.path, "validate", "--json")
    assert report.code == 1
    loops = [p for p in report.json()["problems"] if p["rule"] == "TG179"]  # type: ignore[index]
    assert len(loops) == 1
    assert loops[0]["path"] == f".claude/decisions/{A}.yaml"
    assert f"supersession loop {A} -> {B} -> {A}" in loops[0]["message"]
    assert loops[0]["line"] == 10  # the supersedes line


def _decision(
    decision_id: str, supersedes: tuple[str, ...] = (), by: tuple[str, ...] = ()
) -> Decision:
    return Decision(
        decision_id, "s", "accepted", "", f"{decision_id}.yaml", "yaml", (), supersedes, by
    )


def test_the_graph_takes_either_side_of_a_link() -> None:
    records = [_decision(A, by=(B,)), _decision(B), _decision(C, supersedes=(B,))]
    graph = supersedes_graph(records)
    assert graph == {A: set(), B: {A}, C: {B}}
    assert chain(graph, C, A) == [C, B, A]
    assert chain(graph, A, C) is None
    assert cycles(graph) == []
    assert cycles(supersedes_graph([*records, _decision(A, supersedes=(C,))])) == [[A, C, B]]
    assert cycles(supersedes_graph([_decision(A, supersedes=(A,))])) == [[A]]


# --------------------------------------------------------------------------- spec text


def test_control_characters_and_multi_line_titles_are_reported(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    spec = spec_yaml(
        "TASK-2026-002",
        "x",
        extra='objective: "Do it \\e]0;pwned\\a"\nplanning:\n  "sk\\x9bip": 1\n',
    ).replace('title: "x"\n', "title: |\n  Implement the parser\n  for the long format\n")
    governed.write({"docs/tasks/active/TASK-2026-002.yaml": spec})
    report = run(governed.path, "validate", "--json")
    problems = [
        (p["rule"], p["field"], p["line"], p["severity"])
        for p in report.json()["problems"]  # type: ignore[index]
        if p["rule"] in ("TG146", "TG147")
    ]
    assert sorted(problems) == [
        ("TG146", "objective", 18, "error"),
        ("TG146", "planning", 19, "error"),
        ("TG147", "title", 2, "warning"),
    ]
    assert report.code == 1
    text = run(governed.path, "validate").out
    assert "U+001B" in text
    assert "\x1b" not in text


def test_a_folded_one_line_title_is_fine(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    spec = spec_yaml("TASK-2026-002", "x").replace(
        'title: "x"\n', "title: >-\n  Implement the parser\n  for the long format\n"
    )
    governed.write({"docs/tasks/active/TASK-2026-002.yaml": spec})
    report = run(governed.path, "validate", "--json").json()
    assert [p for p in report["problems"] if p["rule"] in ("TG146", "TG147")] == []  # type: ignore[index]


@pytest.mark.parametrize(
    ("title", "rest"),
    [
        ("Phase 0: Implement the meter", "Implement the meter"),
        ("M0.5: Add power sampling", "Add power sampling"),
        ("[P1] Fix the parser", "Fix the parser"),
        ("P1: Fix the parser", "Fix the parser"),
        ("(WIP) Refactor the loader", "Refactor the loader"),
        ("TASK-2026-001: Create the CLI", "Create the CLI"),
        ("T001 [P] [US1] Create the models", "Create the models"),
        ("[P1] Phase 2 - Write the docs", "Write the docs"),
    ],
)
def test_verb_first_skips_leading_labels(title: str, rest: str) -> None:
    assert strip_labels(title) == rest
    assert is_verb_first(title)


@pytest.mark.parametrize(
    "title", ["Phase 0.5: PowerMeter", "M3 calibration", "[P1]", "123 implement", "WIP: parser"]
)
def test_labels_do_not_make_a_title_verb_first(title: str) -> None:
    assert not is_verb_first(title)


def test_validate_accepts_a_labelled_verb_first_title(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    governed.write(
        {"docs/tasks/active/TASK-2026-002.yaml": spec_yaml("TASK-2026-002", "Phase 0: Add a meter")}
    )
    report = run(governed.path, "validate", "--json").json()
    assert [p for p in report["problems"] if p["rule"] == "TG140"] == []  # type: ignore[index]


def test_control_characters_in_a_record_are_reported(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    _write(governed, A, _record(A, TWO).replace('summary: "Use X"', 'summary: "Use \\e[2J X"'))
    report = run(governed.path, "validate", "--json")
    found = [
        (p["rule"], p["field"], p["line"])
        for p in report.json()["problems"]  # type: ignore[index]
        if p["path"].startswith(".claude")
    ]
    assert found == [("TG146", "summary", 2)]
    assert report.code == 1
    assert "\x1b" not in run(governed.path, "decision", "list").out


def test_decision_list_refuses_a_task_that_does_not_exist(run, governed: GitRepo) -> None:  # type: ignore[no-untyped-def]
    _write(governed, A, _record(A, TWO, 'tasks: ["TASK-2026-001"]\n'))
    typo = run(governed.path, "decision", "list", "--task", "TASK-2026-0001")
    assert typo.code == 2
    assert "no task 'TASK-2026-0001' in docs/tasks/active or docs/tasks/completed" in typo.err
    governed.write({"docs/tasks/active/TASK-2026-002.yaml": spec_yaml("TASK-2026-002")})
    assert run(governed.path, "decision", "list", "--task", "TASK-2026-002").out == "no decisions\n"
    linked = run(governed.path, "decision", "list", "--task", "TASK-2026-001", "--json").json()
    assert [d["id"] for d in linked["decisions"]] == [A]  # type: ignore[index]


def test_an_unreadable_decision_record_is_listed_and_named(run, repo: GitRepo) -> None:  # type: ignore[no-untyped-def]
    assert run(repo.path, "init").code == 0
    assert run(repo.path, "decision", "new", "Use union merges").code == 0
    broken = repo.path / ".claude/decisions/DECISION-2026-12-02-009.yaml"
    broken.write_text('decision_id: "DECISION-2026-12-02-009"\nsummary: [broken\n')
    listed = run(repo.path, "decision", "list")
    assert listed.code == 0
    assert "DECISION-2026-12-02-009  unreadable" in listed.out
    assert (
        "could not read .claude/decisions/DECISION-2026-12-02-009.yaml:3: YAML syntax error"
        in listed.err
    )
    data = run(repo.path, "decision", "list", "--json").json()
    assert [d["status"] for d in data["decisions"]][-1] == "unreadable"
    assert data["problems"][0]["path"] == ".claude/decisions/DECISION-2026-12-02-009.yaml"
    shown = run(repo.path, "decision", "show", "DECISION-2026-12-02-009")
    assert shown.code == 2
    assert "cannot be read" in shown.err
    assert "Traceback" not in shown.err
    assert "DECISION-2026-12-02-009" in run(repo.path, "decision", "index").out
    checked = run(repo.path, "validate")
    assert "2 files checked" in checked.out + checked.err
