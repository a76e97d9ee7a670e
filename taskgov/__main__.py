from taskgov.cli import main

raise SystemExit(main())
