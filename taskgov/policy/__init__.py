"""The machine-readable policy (``docs/governance/policy.yaml``) and its rules."""
