"""``python -m taskgov.hooks HOOK ARGS...``: what the scripts in ``.githooks/`` run."""

import sys

from taskgov.hooks.run import main

raise SystemExit(main(sys.argv[1:]))
