"""taskgov.checks.text: verb-first titles, leaked credentials, unfilled placeholders.

Credential-shaped strings are assembled at run time so this file holds none literally.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GOVERNANCE

from taskgov.checks.text import find_placeholders, find_secrets, is_verb_first

# --------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    "title",
    [
        "Implement X",
        "Fix bug",
        "Create calibration CLI tool",
        "Re-run the fit",
        "  implement lowercase",
        '"Implement" the quoted thing',
        "Auto-generate docs",
        "Set up CI",
        "Validate: schema first",
    ],
)
def test_verb_first(title: str) -> None:
    assert is_verb_first(title)


@pytest.mark.parametrize(
    "title",
    [
        "Phase 0.5: PowerMeter",
        "Calibration CLI tool",
        "",
        "   ",
        "123",
        "123 implement",
        "Implementation of X",
        "New-feature work",
        "- Implement list item",
    ],
)
def test_not_verb_first(title: str) -> None:
    assert not is_verb_first(title)


# --------------------------------------------------------------------------- secrets

AWS_KEY = "AKIA" + "Q7XZ2MBN4KD9PL3W"
GITHUB_TOKEN = "ghp_" + "a1B2" * 9
PRIVATE_KEY = "-----BEGIN " + "RSA PRIVATE" + " KEY-----"
SLACK_TOKEN = "xoxb" + "-" + "2718281828-3141592653-" + "ZxCvBnMaSdFgHjKl"
ANTHROPIC_KEY = "sk-" + "ant-" + "api03-" + "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0L"
URL_PASSWORD = "Tr0ub4dor" + "x9q"
URL_WITH_PASSWORD = "postgres://deploy:" + URL_PASSWORD + "@db.internal.example.com/app"
API_KEY_VALUE = "k8Jd2LmQ9xZ4vN7p" + "R1tW6yB3cF5hG0sA"

SECRETS = [
    ("aws", f"notes: use key {AWS_KEY} for the bucket", AWS_KEY, "AWS access key id"),
    ("github", f"token_for_ci: {GITHUB_TOKEN}", GITHUB_TOKEN, "GitHub token"),
    ("private key", f"  {PRIVATE_KEY}", PRIVATE_KEY, "private key"),
    ("slack", f'webhook: "{SLACK_TOKEN}"', SLACK_TOKEN, "Slack token"),
    ("anthropic", f"model_key: {ANTHROPIC_KEY}", ANTHROPIC_KEY, "Anthropic API key"),
    ("url", f"database: {URL_WITH_PASSWORD}", URL_PASSWORD, "password in URL"),
    ("api_key", f'api_key: "{API_KEY_VALUE}"', API_KEY_VALUE, "api_key value"),
]
PROSE = """\
task_id: "TASK-2026-001"
title: "Implement token bucket rate limiting"
description: |
  The API key rotation service needs a secret store. Passwords are hashed with argon2.
  Read the token from the environment (GITHUB_TOKEN), never from the spec.
"""


def spec_with(line: str, before: int = 3) -> str:
    """``line`` placed on line ``before + 1`` of a spec."""
    head = PROSE.splitlines()[:before]
    return "\n".join([*head, line, 'status: "ready"']) + "\n"


@pytest.mark.parametrize(
    ("line", "secret", "kind"),
    [case[1:] for case in SECRETS],
    ids=[case[0] for case in SECRETS],
)
@pytest.mark.parametrize("before", [0, 3])
def test_secret_is_found_on_its_line(line: str, secret: str, kind: str, before: int) -> None:
    findings = list(find_secrets(spec_with(line, before)))
    assert findings, "no secret found"
    assert {f[0] for f in findings} == {before + 1}
    assert kind in {f[2] for f in findings}
    for _, column, _, shown in findings:
        assert column >= 1
        assert secret not in shown
        assert "…" in shown


@pytest.mark.parametrize(
    ("line", "secret", "kind"),
    [case[1:] for case in SECRETS],
    ids=[case[0] for case in SECRETS],
)
def test_secret_column_points_at_it(line: str, secret: str, kind: str) -> None:
    findings = [f for f in find_secrets(line + "\n") if f[2] == kind]
    assert len(findings) == 1
    _, column, _, shown = findings[0]
    found_at = line[column - 1 :]
    assert found_at.startswith(shown.split("…")[0])


def test_secret_does_not_leak_in_any_output_field() -> None:
    text = "\n".join(case[1] for case in SECRETS) + "\n"
    findings = list(find_secrets(text))
    assert sorted({f[0] for f in findings}) == list(range(1, len(SECRETS) + 1))
    rendered = repr(findings)
    for _, _, secret, _ in SECRETS:
        assert secret not in rendered


def test_anthropic_key_reported_once() -> None:
    findings = list(find_secrets(f"model_key: {ANTHROPIC_KEY}\n"))
    assert [f[2] for f in findings] == ["Anthropic API key"]


@pytest.mark.parametrize(
    "text",
    [
        PROSE,
        "password: changeme\n",
        "password: hunter2hunter2hunter2\n",
        "secret: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
        "api_key: abcdefghijklmnopqrstuvwxyzabcdef\n",  # no digit: a word, not a key
        "token: ${{ secrets.DEPLOY_TOKEN }}\n",
        "api_key: <your key here>\n",
        "url: https://example.com:8443/path?q=1\n",
        "clone: ssh://git@github.com/org/repo.git\n",
        "note: risk-assessment-for-the-deployment-pipeline-review\n",
        "access key rotation: monthly, see runbook 42\n",
        "title: Implement AKIA prefix detection for AWS keys\n",
    ],
)
def test_no_false_positives(text: str) -> None:
    assert list(find_secrets(text)) == []


REAL_SPECS = sorted((GOVERNANCE / "docs" / "tasks" / "active").glob("*.yaml"))


def test_real_specs_are_present() -> None:
    assert len(REAL_SPECS) == 3, f"expected the 3 real specs under {GOVERNANCE}"


@pytest.mark.parametrize("path", REAL_SPECS, ids=[p.name for p in REAL_SPECS])
def test_real_specs_hold_no_secrets(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.strip()
    assert list(find_secrets(text)) == []


# --------------------------------------------------------------------------- placeholders


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('task_id: "TASK-YYYY-NNN"', "TASK-YYYY"),
        ('created: "YYYY-MM-DDTHH:MM:SSZ"', "YYYY-MM"),
        ("created: YYYY-MM-DDTHH:MM:SSZ", "HH:MM:SS"),
        ("  - after: TASK-YYYY-NNN", "TASK-YYYY"),
    ],
)
def test_placeholders_in_values(line: str, expected: str) -> None:
    text = "title: Implement it\n" + line + "\nstatus: ready\n"
    found = list(find_placeholders(text))
    assert found
    assert {f[0] for f in found} == {2}
    assert expected in {f[2] for f in found}
    for _, column, placeholder in found:
        assert line[column - 1 :].startswith(placeholder)


@pytest.mark.parametrize(
    "line",
    [
        'task_id: "TASK-2026-001"  # format: TASK-YYYY-NNN',
        "# created: YYYY-MM-DDTHH:MM:SSZ",
        "    # TASK-YYYY-NNN",
        "created: 2026-01-23T10:00:00Z # YYYY-MM-DDTHH:MM:SSZ",
        "note: nothing to fill in",
    ],
)
def test_no_placeholders_in_comments(line: str) -> None:
    assert list(find_placeholders("title: Implement it\n" + line + "\n")) == []


def test_hash_inside_quotes_is_not_a_comment() -> None:
    found = list(find_placeholders('title: "Fix #12 by TASK-YYYY-NNN"\n'))
    assert [f[2] for f in found] == ["TASK-YYYY"]


def test_placeholder_lines_are_one_based() -> None:
    text = 'a: "TASK-YYYY-NNN"\n\n\nb: "YYYY-MM-DD"\n'
    assert [(f[0], f[2]) for f in find_placeholders(text)] == [(1, "TASK-YYYY"), (4, "YYYY-MM")]
