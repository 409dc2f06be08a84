"""The frozen program's entry point (PyInstaller runs this file as ``__main__``).

Bytecode writing is switched off before anything else is imported: a portable build must never
leave ``__pycache__`` folders on the stick or the host, even for a module loaded from source.
"""

import sys

sys.dont_write_bytecode = True

from tui.launch import main  # noqa: E402 - only after bytecode writing is off

raise SystemExit(main())
