"""PyInstaller hook (loaded through --additional-hooks-dir): build-wide settings for evault.

On Linux PyInstaller adds, for every shared library kept in a sub-folder (``pillow.libs/``,
``numpy.libs/``, ...), a symbolic link to it in the program's top folder. The extension modules
find those libraries through their own run paths, so the links are not needed, and a folder with
symbolic links cannot be copied onto a FAT or exFAT USB stick from Linux. They are suppressed
here; build_portable.py replaces any that remain by copies. (On macOS they stay: its loader
rewriting relies on them, and macOS stores symbolic links on FAT sticks in its own way.)
"""

from PyInstaller.compat import is_linux

if is_linux:
    bindepend_symlink_suppression = ["*"]
