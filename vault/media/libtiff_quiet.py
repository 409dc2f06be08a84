"""Stop libtiff from printing its complaints about a bad TIFF onto the terminal.

Pillow decodes compressed TIFFs (LZW, Deflate, JPEG, fax) with libtiff, a C library whose default
error handler writes every complaint straight to the process's stderr ("LZWDecode: Using code not
yet in table", "TIFFFetchNormalTag: Incorrect count ...") — below Python, so neither ``warnings``
nor ``sys.stderr`` can catch it. A hostile TIFF produces dozens of such lines, and in the terminal
app they are drawn over the screen. Redirecting file descriptor 2 while decoding is no fix: it is
process-wide, and the app's own screen output would vanish with it.

libtiff has a supported switch for exactly this: ``TIFFSetErrorHandler(NULL)`` (and the warning
and "Ext" variants) makes it report failures only through return values, which Pillow already
checks. The functions live in the libtiff that Pillow's ``_imaging`` extension is linked against;
looking a symbol up through that extension's handle finds them on Linux and macOS. Where they
cannot be found (Windows builds link libtiff in without exporting it, or a future Pillow changes),
:func:`silence` reports False and the caller declines to decode TIFFs that need libtiff: a missing
preview is better than text scribbled over the app.
"""

from __future__ import annotations

import ctypes
import threading

_SETTERS = (
    "TIFFSetErrorHandler",
    "TIFFSetErrorHandlerExt",
    "TIFFSetWarningHandler",
    "TIFFSetWarningHandlerExt",
)

_lock = threading.Lock()
_state: list[bool] = []  # empty until the first call; then [True] or [False]


def _set_null_handlers() -> bool:
    try:
        from PIL import _imaging  # noqa: PLC0415 - only on first use, and may be missing

        library = ctypes.CDLL(_imaging.__file__)
        setters = [getattr(library, name) for name in _SETTERS]
    except (ImportError, OSError, AttributeError, TypeError):
        return False
    for setter in setters:
        # Each takes and returns a function pointer; NULL means "no handler: stay silent".
        setter.restype = ctypes.c_void_p
        setter.argtypes = [ctypes.c_void_p]
        setter(None)
    return True


def silence() -> bool:
    """Make libtiff quiet for the rest of the process; True when that is known to have worked.

    Safe to call any number of times from any thread; the work is done once.
    """
    with _lock:
        if not _state:
            _state.append(_set_null_handlers())
        return _state[0]
