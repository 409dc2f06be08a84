"""``python -m tui`` runs the ``evault`` command line (after the start-up check of tui/launch.py)."""

from tui.launch import main

raise SystemExit(main())
