"""Read ``docs/governance/policy.yaml`` into a ``Config`` (defaults when it does not exist).

The commit-msg hook calls this on every commit: a warm run reads the file's bytes and finds the
parsed ``Config`` in the cache; only a changed policy imports ruamel and pydantic.
"""

from __future__ import annotations

from pathlib import Path

from taskgov.config import POLICY_PATH, Config
from taskgov.errors import ConfigError


def load_config(root: Path) -> Config:
    """Read ``policy.yaml`` under ``root`` (defaults when it does not exist); a malformed
    file raises ``ConfigError`` naming ``policy.yaml:LINE``."""
    policy = root / POLICY_PATH
    if not policy.exists():
        return Config(root=root)
    from taskgov.spec.cache import memo_get, memo_put
    from taskgov.spec.yamlio import YamlProblem, read_bytes

    try:
        raw = read_bytes(policy, root)
    except YamlProblem as problem:
        raise ConfigError(f"{POLICY_PATH}: {problem.message}") from None
    cached = memo_get(root, "policy.cache", raw)  # keyed by the bytes: nothing to hash
    if isinstance(cached, Config):
        return cached._replace(root=root)
    config = config_from_bytes(root, raw)
    memo_put(root, "policy.cache", raw, config)
    return config


def config_from_bytes(root: Path, raw: bytes) -> Config:
    """The ``Config`` a ``policy.yaml`` holding ``raw`` gives (for a policy read from a
    revision, without a checkout); a malformed policy raises ``ConfigError``."""
    from taskgov.spec.cache import blob_id
    from taskgov.spec.yamlio import YamlProblem, decode, load

    try:
        data, locations = load(decode(raw))
    except YamlProblem as problem:
        where = f"{POLICY_PATH}:{problem.line}" if problem.line else POLICY_PATH
        raise ConfigError(f"{where}: {problem.message}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{POLICY_PATH}:1: the policy must be a mapping of sections")
    from taskgov.policy.model import PolicyIssue, config_from_policy

    try:
        return config_from_policy(root, data, POLICY_PATH, blob_id(raw))
    except PolicyIssue as issue:
        found = locations.find(issue.path)
        line = f":{found[0]}" if found else ""
        raise ConfigError(f"{POLICY_PATH}{line}: {issue.message}") from None
