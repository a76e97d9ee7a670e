"""``taskgov context``: the spec, what dependencies produced (from their specs and from git),
the decisions cited, the policy lines, a token estimate and trimming to a budget."""

from __future__ import annotations

import math

from tests.conftest import GitRepo, spec_yaml

A, B, C = "TASK-2026-001", "TASK-2026-002", "TASK-2026-003"
CITED = "DECISION-2026-01-02-001"
NAMING = "DECISION-2026-01-03-001"
POLICY = """\
commits:
  require_decision: ["src/core/*"]
  require_approval: ["deploy/*"]
"""
PRODUCER = """\
deliverables:
  - path: src/core/store.py
    type: code
    description: The store
interfaces_provided:
  - name: Store.put
    signature: "put(key: str, value: bytes) -> None"
    module: src.core.store
"""
CONSUMER = f"""\
objective: |
  Serve the store over HTTP, as {CITED} says.
deliverables:
  - path: src/core/http.py
    description: The server
constraints:
  - "No new dependencies"
planning:
  scope:
    includes: [src/core/]
    excludes: [docs/]
  stop_when: ["the server answers GET /health"]
"""


def decision(decision_id: str, summary: str, tasks: str = "") -> str:
    return (
        f'decision_id: "{decision_id}"\nsummary: "{summary}"\nstatus: accepted\n'
        "alternatives:\n  - option: HTTP\n    selected: true\n    selected_reason: plain\n"
        "  - option: gRPC\n" + (f"tasks: [{tasks}]\n" if tasks else "")
    )


def project(repo: GitRepo) -> tuple[str, str]:
    repo.commit(
        "chore: the project",
        {
            "docs/governance/policy.yaml": POLICY,
            f"docs/tasks/active/{A}.yaml": spec_yaml(A, "Build the store", extra=PRODUCER),
            f"docs/tasks/active/{B}.yaml": spec_yaml(
                B, "Serve the store", blocked_by=(A,), extra=CONSUMER
            ),
            f"docs/tasks/active/{C}.yaml": spec_yaml(C, "Unrelated work"),
            f".claude/decisions/{CITED}.yaml": decision(CITED, "Serve over HTTP"),
            f".claude/decisions/{NAMING}.yaml": decision(NAMING, "Keep one port", tasks=B),
        },
    )
    first = repo.commit(
        f"feat: the store\n\nTask: {A}", {"src/core/store.py": "x = 1\n", "README": "r\n"}
    )
    last = repo.commit(f"test: the store\n\nCloses: {A}", {"tests/test_store.py": "t\n"})
    repo.commit(f"feat: other\n\nCloses: {C}", {"src/other.py": "o\n"})
    return first, last


def test_the_document_holds_everything_to_start_the_task(repo: GitRepo, run) -> None:  # type: ignore[no-untyped-def]
    first, last = project(repo)
    result = run(repo.path, "context", B)
    assert result.code == 0, result.err
    text = result.out
    assert text.startswith(f"# {B}: Serve the store\n")
    assert "Serve the store over HTTP" in text
    assert "- path: `src/core/http.py`; description: The server" in text
    assert "No new dependencies" in text
    # what the dependency produced: its deliverables and interfaces, commits and paths
    assert f"### {A}: Build the store (completed; technical, hard)" in text
    assert "- deliverable: `src/core/store.py`; The store" in text
    assert (
        "- interface: `Store.put`; `put(key: str, value: bytes) -> None`; `src.core.store`" in text
    )
    assert f"- closes: {last[:12]} test: the store" in text
    assert f"- task: {first[:12]} feat: the store" in text
    assert "- changed: `README`, `src/core/store.py`, `tests/test_store.py`" in text
    assert "src/other.py" not in text  # another task's commit
    # the decisions it cites: named in the spec, or naming the task
    assert f"- {CITED} (accepted, .claude/decisions/{CITED}.yaml; named in the spec)" in text
    assert f"- {NAMING} (accepted, .claude/decisions/{NAMING}.yaml; the record names" in text
    assert "selected_reason: plain" in text  # the record's body
    # the policy lines that apply
    assert f"`Task: {B}`" in text
    assert f"`Closes: {B}`" in text
    assert "Commits touching `src/core/*` need a `Decision: DECISION-...` trailer" in text
    assert "(this task's `src/core/`, `src/core/http.py`)" in text
    assert "Commits touching `deploy/*` need a person's" in text
    assert "Scope: change only `src/core/`." in text
    assert "Out of scope: do not change `docs/`." in text
    assert "Stop when: the server answers GET /health" in text
    assert "## The spec file" in text
    assert 'task_id: "TASK-2026-002"' in text
    assert "## Trimmed" not in text


def test_the_token_estimate_and_the_budget(repo: GitRepo, run) -> None:  # type: ignore[no-untyped-def]
    project(repo)
    whole = run(repo.path, "context", B, "--json").json()
    assert isinstance(whole, dict)
    assert whole["tokens"] == math.ceil(len(whole["markdown"]) / 4)
    assert whole["estimator"] == "ceil(characters / 4)"
    assert f"about {whole['tokens']} tokens" in whole["markdown"]
    assert whole["trimmed"] == []
    assert whole["budget"] is None
    order = whole["trim_order"]
    assert order[0] == "spec"
    previous = whole["tokens"]
    seen: list[list[str]] = []
    assert previous > 500
    for budget in (previous - 1, 400, 300, 10):  # ever smaller budgets, ever shorter texts
        data = run(repo.path, "context", B, "--json", "--budget", str(budget)).json()
        assert isinstance(data, dict)
        assert data["tokens"] == math.ceil(len(data["markdown"]) / 4)
        assert data["tokens"] <= previous
        trimmed = data["trimmed"]
        assert trimmed == sorted(trimmed, key=order.index)  # always in the stated order
        assert data["over_budget"] == (data["tokens"] > budget)
        if trimmed:
            assert "## Trimmed" in data["markdown"]
            assert f"Left out to fit {budget} tokens" in data["markdown"]
        seen.append(trimmed)
        previous = data["tokens"]
    assert seen[0] == ["spec"]  # one step was enough to fit one token less
    assert "## The spec file" not in run(repo.path, "context", B, "--budget", "400").out
    tiny = run(repo.path, "context", B, "--budget", "10")
    assert tiny.code == 0
    assert "over the budget of 10" in tiny.err
    for kept in ("## Task", "## Policy", f"`Closes: {B}`"):  # never trimmed
        assert kept in tiny.out
    assert "## What the dependencies produced" not in tiny.out


def test_a_task_without_dependencies_and_an_unknown_id(repo: GitRepo, run) -> None:  # type: ignore[no-untyped-def]
    project(repo)
    text = run(repo.path, "context", A).out
    assert "## What the dependencies produced" not in text
    assert "## Decisions it cites" not in text
    missing = run(repo.path, "context", "TASK-2026-099")
    assert missing.code == 2
    assert "TASK-2026-099" in missing.err
    assert run(repo.path, "context", A, "--budget", "0").code == 2


def test_dispatch_writes_the_context_into_each_worktree(repo: GitRepo, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """D depends on E; both run: D's context names E's merge into the integration branch
    and the path it changed."""
    from tests.conftest import run_process

    project(repo)
    d, e = "TASK-2026-004", "TASK-2026-005"
    repo.commit(
        "chore: two more",
        {
            f"docs/tasks/active/{d}.yaml": spec_yaml(d, "Use the output", blocked_by=(e,)),
            f"docs/tasks/active/{e}.yaml": spec_yaml(e, "Make the output"),
        },
    )
    copies = tmp_path / "contexts"
    copies.mkdir()
    command = (
        f'cp "$TASKGOV_CONTEXT" "{copies}/$TASKGOV_TASK_ID.md" && '
        f'git status --porcelain > "{copies}/$TASKGOV_TASK_ID.status" && '
        'echo done > "out-$TASKGOV_TASK_ID" && git add -A && git commit -qm "feat: work"'
    )
    result = run_process(repo.path, "dispatch", "--exec", command, "--workers", "2", "--json")
    assert result.code == 0, result.err
    text = (copies / f"{d}.md").read_text()
    assert text.startswith(f"# {d}: Use the output")
    assert f"work on branch task/{d}, merged into taskgov/dispatch/" in text
    assert f"### {e}: Make the output" in text
    assert f"dispatch: merge task/{e}" in text
    assert f"- changed: `out-{e}`" in text
    assert (copies / f"{d}.status").read_text() == ""  # the file is outside the work tree
    assert f"### {A}: Build the store" in (copies / f"{B}.md").read_text()
    assert not (copies / f"{A}.md").exists()  # completed: nothing ran for it
