"""Claims: "I take this task", made atomic through the git remote alone.

A claim is the ref ``refs/taskgov/claims/<id>`` pointing at a small parentless commit that
records the holder, the claimer's git identity, when the task was taken and when the lease
ends (``taskgov.claims.model``). Claims are created, renewed, taken over and released by
compare-and-swap on the remote (a push with an explicit ``--force-with-lease``) or, without a
remote, on this repository's own ref (``taskgov.claims.refs``); ``taskgov.claims.ops`` has the
operations and the rule for where claims live.
"""
