"""`evault recovery shares` and `--recovery-shares-file`, run through ``main()``.

Each fails on main before issue 13 (cecf928): there was no ``recovery`` command and no
``--recovery-shares-file`` option (argparse refused them with exit code 2).
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.cli.runner import Runner, run_main


def _with_shares(
    folder: Path, *files: Path | str, stdin: bytes | None = None
) -> tuple[int, str, str]:
    argv = ["--vault", str(folder)]
    for f in files:
        argv += ["--recovery-shares-file", str(f)]
    return run_main([*argv, "list"], stdin)


def test_two_share_pages_open_the_vault_and_one_does_not(run: Runner, tmp_path: Path) -> None:
    out = tmp_path / "for-trusted-people"
    code, text, err = run(
        "recovery", "shares", "--threshold", "2", "--count", "3", "--out", str(out)
    )
    assert code == 0, err
    assert "3 pages" in text and "any 2 of the 3" in text
    pages = sorted(out.iterdir())
    assert [p.name for p in pages] == ["share-1-of-3.txt", "share-2-of-3.txt", "share-3-of-3.txt"]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in pages)

    code, _, err = _with_shares(run.folder, pages[0], pages[2])
    assert code == 0, err
    code, _, err = _with_shares(run.folder, pages[1])
    assert code == 2 and "1 of 2 shares given" in err and "Traceback" not in err
    # Standard input: pages one after another, or one share per paragraph.
    both = (pages[1].read_text(encoding="utf-8") + pages[2].read_text(encoding="utf-8")).encode()
    code, _, err = _with_shares(run.folder, "-", stdin=both)
    assert code == 0, err


@pytest.mark.slow
def test_reissued_shares_replace_the_old_set_as_custody_events(run: Runner, tmp_path: Path) -> None:
    first = run.json("recovery", "shares", "--out", str(tmp_path / "one"))
    second = run.json("recovery", "shares", "--count", "4", "--out", str(tmp_path / "two"))
    assert first["replaced_earlier_set"] is False and second["replaced_earlier_set"] is True
    code, _, err = _with_shares(run.folder, *first["pages"][:2])
    assert code == 2 and "not of this vault's current set" in err
    code, _, err = _with_shares(run.folder, *second["pages"][2:])
    assert code == 0, err
    events = [e["type"] for e in run.json("log")]
    assert events.count("key.shares_issued") == 1 and events.count("key.shares_replaced") == 1
    assert run.json("recovery", "shares", "--revoke") == {"revoked": True}
    code, _, err = _with_shares(run.folder, *second["pages"][2:])
    assert code == 2 and "no recovery shares" in err


def test_usage_mistakes_are_one_sentence(run: Runner, tmp_path: Path) -> None:
    code, _, err = run("recovery", "shares")
    assert code == 2 and "--out DIR" in err
    code, _, err = run("recovery", "shares", "--threshold", "1", "--out", str(tmp_path / "x"))
    assert code == 2 and "at least 2" in err and not (tmp_path / "x").exists()
    pw = tmp_path / "pass.txt"
    code, _, err = run_main(
        [
            "--vault",
            str(run.folder),
            "--passphrase-file",
            str(pw),
            "--recovery-shares-file",
            str(pw),
            "list",
        ]
    )
    assert code == 2 and "--passphrase-file or --recovery-shares-file, not both" in err
    typo = tmp_path / "typo.txt"
    typo.write_text("academic acid acne\n", encoding="utf-8")
    code, _, err = _with_shares(run.folder, typo, typo)
    assert code == 2 and "33 words" in err and "Traceback" not in err
