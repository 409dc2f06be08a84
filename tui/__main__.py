"""``python -m tui`` runs the ``evault`` command line."""

from tui.cli import main

raise SystemExit(main())
