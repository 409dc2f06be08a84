"""Build the portable folder a trainer copies onto a USB stick, for the system this runs on.

    python packaging/build_portable.py [--out DIR] [--work DIR]

Runs PyInstaller in one-folder mode, so the folder carries its own Python runtime and the host
needs nothing installed. NEVER one-file mode: a one-file program unpacks itself into the host's
temporary folder on every start and can leave a copy there, which is exactly the trace a portable
build exists to avoid. The result (docs/portable-build.md)::

    evault-portable-<os>-<arch>/
      evault-portable.txt     the marker: turns on portable mode, and explains the folder
      README-PORTABLE.txt     how to start it on each system, and what stays where
      start-evault.sh         Linux and macOS (terminal)
      start-evault.command    macOS (double-click in Finder)
      start-evault.cmd        Windows (double-click)
      program/                the PyInstaller one-folder build: program/evault(.exe) and _internal/
      vaults/  exports/       empty; evault creates host/ on first start

The marker sits one folder above the executable: ``vault.host.portable.find_root`` looks beside the
program and in its parent. PyInstaller cannot build for another system: build on each system for
that system. Needs the locked build tools: ``pip install --require-hashes -r
requirements/portable.lock`` then ``pip install --no-deps --no-build-isolation -e .``.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import shutil
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ROOT / "packaging" / "evault_entry.py"
NAME = "evault"
MARKER = "evault-portable.txt"  # the same name as vault.host.portable.MARKER (checked below)

# Library modules loaded only on some code paths or through importlib (invisible to PyInstaller's
# analysis); listed so a frozen build never meets a missing module in front of a user. The app's
# own such modules come from the vault itself (app_modules below), so they cannot drift.
LIBRARY_MODULES = (
    "sqlcipher3",
    "sqlcipher3.dbapi2",
    "pyrage",
    "ijson.backends.yajl2_c",
    "ijson.backends.python",
    "PIL.PngImagePlugin",
    "PIL.JpegImagePlugin",
    "PIL.GifImagePlugin",
    "PIL.WebPImagePlugin",
    "PIL.BmpImagePlugin",
    "PIL.TiffImagePlugin",
    "imagehash",
    "scipy.fftpack",
)
# Whole packages: Textual loads its widgets lazily (``textual.widgets.__getattr__``) and needs its
# own resource files; imagehash.phash imports scipy.fftpack inside the function.
COLLECT_ALL = ("textual",)
COLLECT_SUBMODULES = ("scipy.fftpack", "rich._unicode_data")
# Data files read at run time: shamir_mnemonic opens its SLIP-39 word list (wordlist.txt) beside
# its module when imported; without it, recovery shares cannot be issued or read.
# Babel reads its CLDR locale data (dates in Azerbaijani and Russian) from files beside its modules.
COLLECT_DATA = ("shamir_mnemonic", "babel")
# Never used at run time, and large: keep them out even though something in the venv mentions them.
# imagehash.phash needs only scipy.fft(pack) and scipy.special (which loads scipy's OpenBLAS);
# the rest of SciPy, and PyWavelets (imagehash.whash), are never called. setuptools and
# pkg_resources would be imported on every start by PyInstaller's runtime hooks, for nothing.
EXCLUDES = (
    "tkinter",
    "pytest",
    "_pytest",
    "hypothesis",
    "mypy",
    "ruff",
    "IPython",
    "matplotlib",
    "setuptools",
    "pkg_resources",
    "distutils",
    "jinja2",
    "pywt",
    "scipy.cluster",
    "scipy.constants",
    "scipy.datasets",
    "scipy.differentiate",
    "scipy.integrate",
    "scipy.interpolate",
    "scipy.io",
    "scipy.linalg",
    "scipy.misc",
    "scipy.ndimage",
    "scipy.odr",
    "scipy.optimize",
    "scipy.signal",
    "scipy.sparse",
    "scipy.spatial",
    "scipy.stats",
)


def system_name() -> str:
    """``linux``, ``windows`` or ``macos``: the folder name says which system it runs on."""
    name = platform.system().lower()
    return {"darwin": "macos"}.get(name, name)


def arch_name() -> str:
    """``x86_64`` or ``arm64`` (Apple silicon and ARM Linux), whatever the platform calls it."""
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "x64": "x86_64", "aarch64": "arm64"}.get(machine, machine)


def executable_name() -> str:
    return NAME + (".exe" if os.name == "nt" else "")


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def app_modules() -> list[str]:
    """Our modules imported by name at run time: the parser of each row of the importer registry,
    the modules behind the vault's public names (``vault.__getattr__`` loads them on first use),
    and the terminal app."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import vault  # noqa: PLC0415 - the build script reads the registry it bundles
    from vault import IMPORTERS  # noqa: PLC0415

    return sorted({row.module for row in IMPORTERS} | set(vault.public_modules()) | {"tui.app"})


def pyinstaller_args(work: Path, dist: Path) -> list[str]:
    """The PyInstaller command line (one folder, console program, nothing unpacked at start)."""
    sep = os.pathsep
    args = [
        str(ENTRY),
        "--name",
        NAME,
        "--onedir",  # never --onefile: it unpacks into the host's temp folder
        "--console",
        "--noconfirm",
        "--clean",
        "--noupx",  # packed executables trigger antivirus false positives more often
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work / "build"),
        "--specpath",
        str(work),
        "--paths",
        str(ROOT),
        "--additional-hooks-dir",
        str(ROOT / "packaging" / "hooks"),
        "--add-data",
        f"{ROOT / 'tui' / 'evault.tcss'}{sep}tui",
        # The compiled translations (az, ru): without them the stick speaks only English.
        "--add-data",
        f"{ROOT / 'vault' / 'i18n' / 'locale'}{sep}vault/i18n/locale",
    ]
    for module in (*app_modules(), *LIBRARY_MODULES):
        if _module_exists(module):  # a module named but missing is skipped
            args += ["--hidden-import", module]
    for package in COLLECT_ALL:
        args += ["--collect-all", package]
    for package in COLLECT_SUBMODULES:
        if _module_exists(package):
            args += ["--collect-submodules", package]
    if _module_exists("tzdata"):  # Windows has no system time-zone database; tzdata is it
        args += ["--collect-data", "tzdata"]
    for package in COLLECT_DATA:
        args += ["--collect-data", package]
    for module in EXCLUDES:
        args += ["--exclude-module", module]
    return args


def _check_out(out: Path) -> None:
    """Refuse to replace a folder that holds anything but an earlier build (vaults!)."""
    if not out.exists():
        return
    if not out.is_dir():
        sys.exit(f"build_portable: {out} exists and is not a folder; choose another --out.")
    for sub in ("vaults", "exports"):
        folder = out / sub
        if folder.is_dir() and any(folder.iterdir()):
            sys.exit(
                f"build_portable: {folder} is not empty (it may hold someone's vault). Nothing "
                "was replaced; choose another --out or move those files first."
            )
    if any(out.iterdir()) and not (out / MARKER).is_file():
        sys.exit(
            f"build_portable: {out} is not empty and is not an earlier portable build; choose "
            "another --out."
        )
    shutil.rmtree(out)


def _version() -> str:
    try:
        from importlib.metadata import version  # noqa: PLC0415

        return version("evidence-vault")
    except Exception:  # not installed as a distribution: the build still works
        return "unknown"


def _git_commit() -> str:
    git = shutil.which("git")
    if git is None:
        return "unknown"
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments
            [git, "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = result.stdout.strip() if result.returncode == 0 else "unknown"
    dirty = subprocess.run(  # noqa: S603
        [git, "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
        timeout=10,
    )
    return commit + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


MARKER_TEXT = """\
evault portable folder
======================

This folder is a complete copy of evault, the offline encrypted evidence vault, that runs
from a USB stick. The computer it is plugged into needs nothing installed. While evault runs
from here it keeps EVERYTHING inside this folder: vaults in "vaults", bundles for lawyers in
"exports", and anything a program would normally leave in the computer's home or temporary
folders in "host". Nothing is written to the computer itself.

This file is what tells evault to work this way. Do not delete or rename it.

How to start evault (this folder was built for: {system} {arch}):

  Windows   double-click start-evault.cmd
  macOS     double-click start-evault.command (the first time: right-click, Open)
  Linux     open a terminal in this folder and run: ./start-evault.sh

More in README-PORTABLE.txt.
"""

README_TEXT = """\
evault portable — read me
=========================

This folder runs evault from a USB stick on a borrowed computer, leaving nothing on that
computer. It was built for {system} {arch} and only starts on that kind of computer (build
a separate stick folder for each system; see docs/portable-build.md in the source).

Starting evault
---------------

  Windows   Double-click start-evault.cmd. A black window opens with the app.
            If Windows says "Windows protected your PC" (SmartScreen): click "More info",
            then "Run anyway". The program is not signed by a company; that is why.
  macOS     Double-click start-evault.command. The first time macOS may refuse to open a
            program from the internet: right-click it, choose Open, and confirm. If it still
            refuses, open Terminal and run:
                xattr -dr com.apple.quarantine /Volumes/STICK/{folder}
            (with your stick's name), then double-click again.
  Linux     Open a terminal in this folder and run:  ./start-evault.sh
            (if it says "Permission denied": sh start-evault.sh)

Commands work too, the same way as an installed evault, for example:
    ./start-evault.sh --help          (Windows: start-evault.cmd --help)
    ./start-evault.sh check

What is in this folder
----------------------

  evault-portable.txt   tells evault to keep everything in this folder. Keep it.
  program/              the program itself, with its own Python. Do not change anything in it.
  vaults/               the vaults (each one a folder ending in .evault). Encrypted: without
                        the passphrase (or recovery key) nobody can read them.
  exports/              bundles made for lawyers. A bundle is only encrypted if it was made with
                        an age key (--to) or a bundle passphrase.
  host/                 created on first start: whatever the program or its libraries would
                        otherwise have written into the computer's home or temporary folders.
                        It holds no evidence and can be emptied when evault is not running.

What stays on the computer
--------------------------

evault itself writes nothing outside this folder. The computer can still keep its own records
that a USB stick was used (the system's device log, "recent files" lists, the terminal's
history if you typed commands). Use a computer you trust, and close evault (or press Ctrl+L
to lock it) before removing the stick. Pull the stick out only after evault has closed.

Keep a second copy of the vaults folder somewhere safe: a lost stick is a lost vault.

Build
-----

  evault {version}, commit {commit}
  built {date} on {system} {arch} with Python {python}
"""

SH_LAUNCHER = """\
#!/bin/sh
# Start evault from this portable folder (Linux and macOS). Arguments are passed on.
exec "$(dirname "$0")/program/evault" "$@"
"""

COMMAND_LAUNCHER = """\
#!/bin/sh
# macOS: double-click in Finder to start evault from this portable folder in Terminal.
cd "$(dirname "$0")" || exit 1
./program/evault "$@"
status=$?
if [ $status -ne 0 ]; then
    echo
    echo "evault stopped (code $status). Press Enter to close this window."
    read -r _
fi
exit $status
"""

CMD_LAUNCHER = """\
@echo off
rem Start evault from this portable folder (Windows). Arguments are passed on.
setlocal
"%~dp0program\\evault.exe" %*
set status=%ERRORLEVEL%
rem Double-clicked (no arguments) and it failed: keep the window open so the message can be read.
if "%~1"=="" if not "%status%"=="0" pause
exit /b %status%
"""


def _write(path: Path, text: str, *, executable: bool = False, crlf: bool = False) -> None:
    data = text.replace("\n", "\r\n") if crlf else text
    path.write_bytes(data.encode("utf-8"))
    if executable:
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def replace_symlinks(folder: Path) -> int:
    """Replace symbolic links by copies of what they point to: FAT and exFAT sticks (the ones every
    system can read) cannot hold links, and copying the folder onto one from Linux would fail."""
    replaced = 0
    for link in sorted(folder.rglob("*")):
        if not link.is_symlink():
            continue
        target = link.resolve()
        if not target.is_relative_to(folder.resolve()) or not target.exists():
            sys.exit(f"build_portable: {link} points outside the program folder ({target}).")
        link.unlink()
        if target.is_dir():
            shutil.copytree(target, link)
        else:
            shutil.copy2(target, link)
        replaced += 1
    return replaced


def assemble(out: Path, program: Path) -> None:
    """Lay out the portable folder around the PyInstaller output."""
    out.mkdir(parents=True)
    shutil.move(str(program), str(out / "program"))
    for sub in ("vaults", "exports"):
        (out / sub).mkdir()
    fields = {
        "system": system_name(),
        "arch": arch_name(),
        "folder": out.name,
        "version": _version(),
        "commit": _git_commit(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
    }
    windows_text = os.name == "nt"  # Notepad copes with \n today, but older ones do not
    _write(out / MARKER, MARKER_TEXT.format(**fields), crlf=windows_text)
    _write(out / "README-PORTABLE.txt", README_TEXT.format(**fields), crlf=windows_text)
    _write(out / "start-evault.sh", SH_LAUNCHER, executable=True)
    _write(out / "start-evault.command", COMMAND_LAUNCHER, executable=True)
    _write(out / "start-evault.cmd", CMD_LAUNCHER, crlf=True)


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


LOCK = ROOT / "requirements" / "portable.lock"


def _check_locked(*, unlocked: bool) -> None:
    """Refuse to build from anything but the locked, hash-checked versions (docs/supply-chain.md)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import lockfile  # noqa: PLC0415 - sits beside this script, not in a package

    problems = lockfile.mismatches(
        lockfile.applicable(lockfile.read(LOCK)), lockfile.installed_versions()
    )
    if not problems:
        print(f"build_portable: every library is at the version in {LOCK.name}", flush=True)
        return
    listing = "\n  ".join(problems)
    if unlocked:
        print(f"build_portable: WARNING, building from unlocked versions:\n  {listing}", flush=True)
        return
    sys.exit(
        f"build_portable: the installed libraries differ from {LOCK.relative_to(ROOT)}:\n"
        f"  {listing}\n"
        "Install exactly the locked versions, checked against their hashes, then build again:\n"
        "  pip install --require-hashes -r requirements/portable.lock\n"
        "  pip install --no-deps --no-build-isolation -e ."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_out = ROOT / "dist" / f"evault-portable-{system_name()}-{arch_name()}"
    parser.add_argument(
        "--out",
        type=Path,
        default=default_out,
        help=f"the portable folder (default: {default_out})",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=ROOT / "build" / "portable-work",
        help="PyInstaller's work and spec files (default: build/portable-work)",
    )
    parser.add_argument(
        "--unlocked",
        action="store_true",
        help="build even if the installed versions differ from requirements/portable.lock "
        "(for trying a new version; never for a folder you hand out)",
    )
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    work: Path = args.work.resolve()

    sys.path.insert(0, str(ROOT))
    from vault.host import portable  # noqa: PLC0415 - needs ROOT on the path

    if portable.MARKER != MARKER:
        sys.exit(f"build_portable: the marker is now called {portable.MARKER}; update MARKER.")
    if not _module_exists("PyInstaller"):
        sys.exit(
            "build_portable: PyInstaller is not installed. Run: "
            "pip install --require-hashes -r requirements/portable.lock"
        )
    _check_out(out)
    _check_locked(unlocked=args.unlocked)

    dist = work / "dist"
    command = [sys.executable, "-m", "PyInstaller", *pyinstaller_args(work, dist)]
    print(f"build_portable: running PyInstaller (one-folder) into {dist}", flush=True)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        sys.exit(f"build_portable: PyInstaller failed (exit code {result.returncode}).")
    program = dist / NAME
    if not (program / executable_name()).is_file():
        sys.exit(f"build_portable: PyInstaller did not produce {program / executable_name()}.")

    if platform.system() != "Darwin":  # macOS: its loader relies on the links (see hooks/)
        replaced = replace_symlinks(program)
        if replaced:
            print(f"build_portable: replaced {replaced} symbolic links by copies", flush=True)
    assemble(out, program)
    size = _folder_size(out) / (1024 * 1024)
    print(f"build_portable: portable folder ready: {out} ({size:.0f} MiB)")
    print(f"build_portable: smoke test: python packaging/smoke_test_portable.py {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
