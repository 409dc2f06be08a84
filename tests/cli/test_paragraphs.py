"""Messages are filled to 79 columns where a person reads them (a terminal) and kept on one line
where a script does (a pipe or a file)."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.cli.runner import Runner
from tui.cli import main
from tui.paragraphs import WIDTH, columns, fill


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _missing(tmp_path: Path) -> str:
    # Not under tmp_path, whose own length varies: a path of 56 characters that does not exist.
    missing = Path("/nonexistent") / "a-folder-with-a-long-name-and-more" / "bundle.zip"
    assert not missing.exists() and not tmp_path.joinpath("x").exists()
    return str(missing)


def test_an_error_on_a_terminal_is_filled(tmp_path: Path) -> None:
    out, err = _Terminal(), _Terminal()
    for lang in ("en", "ru", "az"):
        err.seek(0)
        err.truncate()
        code = main(["--lang", lang, "verify", _missing(tmp_path)], stdout=out, stderr=err)
        assert code == 2
        lines = err.getvalue().splitlines()
        assert len(lines) >= 2 and lines[0].startswith("evault: ")
        assert all(len(line) <= WIDTH or " " not in line.strip() for line in lines)
        assert all(line.startswith("  ") for line in lines[1:])  # under "evault: ", not flush


def test_an_error_in_a_pipe_stays_one_line(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["verify", _missing(tmp_path)], stdout=out, stderr=err)
    assert code == 2
    assert err.getvalue().count("\n") == 1 and len(err.getvalue()) > WIDTH


def test_fill_never_cuts_a_word() -> None:
    words = ["Compare", "these", "digits", "a" * 100, "with", "the", "defender's"]
    filled = fill(" ".join(words), first="FAILED  ", hang="        ")
    assert filled.split() == ["FAILED", *words]
    assert all(len(line) <= WIDTH or " " not in line.strip() for line in filled.splitlines())


def test_check_log_and_list_on_a_terminal_fit_80_columns(run: Runner, tmp_path: Path) -> None:
    """The check's verdict, a custody-log line with a long reason and a list row with a long
    title are filled on a terminal (log lines under the time, a title under itself, so the
    columns stay clear; nothing is cut); in a pipe they are not."""
    note = tmp_path / "threat.txt"
    note.write_text("they said they know where I live", encoding="utf-8")
    code, _, err = run("add", str(note))
    assert code == 0, err
    item = run.json("list")[0]["id"]
    reason = "moved to the case about the fake account, as the lawyer asked on the phone today"
    title = "Voice message from the man who followed me home after the court hearing"
    code, _, err = run("edit", item, "--title", title, "--reason", reason)
    assert code == 0, err
    for command in (["check"], ["log"], ["list"]):
        out, err_stream = _Terminal(), _Terminal()
        argv = ["--vault", str(run.folder), "--passphrase-file", str(run.pwfile), *command]
        assert main(argv, stdout=out, stderr=err_stream) == 0, err_stream.getvalue()
        lines = out.getvalue().splitlines()
        assert all(len(line) <= WIDTH or " " not in line.strip() for line in lines), lines
        if command == ["log"]:
            assert reason.rsplit(maxsplit=1)[-1] in out.getvalue()
        if command == ["list"]:
            assert " ".join(out.getvalue().split()).count(title) == 1  # whole, not cut
        piped = run(*command)[1]
        assert any(len(line) > WIDTH for line in piped.splitlines())  # one line each in a pipe


def test_identity_on_a_terminal_fits_80_columns_and_keeps_every_key_whole(run: Runner) -> None:
    """Its paragraphs had hard line breaks of 82-94 characters in the translations, and each key
    followed its label on one line of 84-95: now filled, and a key or hash moves under its label."""
    identity = run.json("identity")
    keys = [identity[k] for k in ("public_key", "minisign_public_key", "ssh_fingerprint")]
    for lang in ("en", "ru", "az"):
        out, err = _Terminal(), _Terminal()
        argv = ["--lang", lang, "--vault", str(run.folder), "--passphrase-file", str(run.pwfile)]
        assert main([*argv, "identity"], stdout=out, stderr=err) == 0, err.getvalue()
        lines = out.getvalue().splitlines()
        assert all(len(line) <= WIDTH for line in lines), [x for x in lines if len(x) > WIDTH]
        for value in [*keys, identity["custody_head"]["hash"]]:
            assert f"    {value}" in lines  # whole, on its own line, to copy
        assert f"    {identity['fingerprint']}" in lines
    piped = run("identity")[1]
    assert f"(Ed25519): {keys[0]}" in piped  # a script still finds label and key on one line


def test_chats_chat_imports_and_show_on_a_terminal_keep_keys_and_ids_whole(
    run: Runner, tmp_path: Path
) -> None:
    """'evault chats' ended each line with the key 'evault chat KEY' needs, and an 80-column
    terminal cut it in two ("key: 12 / 92077344"); a chat's lines and 'evault imports' end with
    ids; 'evault show' printed an 80-character title beside its label."""
    from tests.importers.test_importing import chat, message, write_folder

    long_text = "Bu sonuncu xəbərdarlıqdır, yazılarını dayandır, yoxsa hamı görəcək nə etdiyini"
    data = chat(
        [message(1, long_text), message(2, "Qısa.", offset=60)],
        chat_id=5550001111222333,
        name="Naməlum Şəxs, the account that wrote from three numbers in March",
    )
    folder = write_folder(tmp_path / "ChatExport_2026-03-09 from the phone of my sister", data, {})
    code, _, err = run("import", "telegram", str(folder))
    assert code == 0, err
    ids = [line["item_id"] for line in run.json("chat", "5550001111222333")["messages"]]
    argv = ["--vault", str(run.folder), "--passphrase-file", str(run.pwfile)]
    import_id = run.json("imports")[0]["id"]
    for command, wanted in (
        (["chats"], ["5550001111222333"]),
        (["chat", "5550001111222333"], [i[:8] for i in ids]),
        (["imports"], [import_id[:8]]),
        (["show", ids[0]], long_text.split()),
    ):
        out, err_stream = _Terminal(), _Terminal()
        assert main([*argv, *command], stdout=out, stderr=err_stream) == 0, err_stream.getvalue()
        lines = out.getvalue().splitlines()
        assert all(len(line) <= WIDTH for line in lines), [x for x in lines if len(x) > WIDTH]
        words = out.getvalue().split()
        assert all(w in words for w in wanted), (wanted, lines)  # whole, never cut
        piped = run(*command)[1]
        assert any(len(line) > WIDTH for line in piped.splitlines())  # one line each in a pipe


@given(
    st.lists(st.text(alphabet="abcdefghij-.,'", min_size=1, max_size=30), max_size=40),
    st.sampled_from(["", "evault: ", "FAILED  "]),
    st.sampled_from(["", "  ", "        "]),
)
def test_fill_is_textwraps_fill_for_ascii(words: list[str], first: str, hang: str) -> None:
    """What it replaced: for text of one-column characters nothing changes."""
    text = " ".join(words)
    expected = textwrap.fill(
        text,
        width=WIDTH,
        initial_indent=first,
        subsequent_indent=hang,
        break_long_words=False,
        break_on_hyphens=False,
    )
    assert fill(text, first=first, hang=hang) == expected


def test_fill_counts_columns_not_characters() -> None:
    """Emoji and Japanese take two columns each: a line filled by characters ran past 80."""
    text = " ".join(["Səni tapacağıq 😡😡😡", "お前の家を知っている", "😡"] * 6)
    filled = fill(text, first="2026-03-02 21:14:00 UTC  ", hang=" " * 25)
    lines = filled.splitlines()
    assert all(columns(line) <= WIDTH for line in lines), [columns(x) for x in lines]
    assert any(columns(line) > len(line) for line in lines)
    assert filled.split() == ["2026-03-02", "21:14:00", "UTC", *text.split()]
    assert columns("e\u0301") == 1 and columns("お") == 2 and columns("😡") == 2


def test_an_import_report_on_a_terminal_fits_80_columns(run: Runner, tmp_path: Path) -> None:
    """Its sentences and its dates row ran past 80 columns and were cut mid-word
    ("jurnalı / ndadır", "2018-0 / 1-29" in Azerbaijani)."""
    from tests.importers.test_importing import chat, message, write_folder

    data = chat([message(1, "Gecə gözlə."), message(2, "Qısa.", offset=86_400 * 400)])
    folder = write_folder(tmp_path / "ChatExport_2026-03-09 from the phone of my sister", data, {})
    argv = ["--lang", "az", "--vault", str(run.folder), "--passphrase-file", str(run.pwfile)]
    out, err = _Terminal(), _Terminal()
    assert main([*argv, "import", "telegram", str(folder)], stdout=out, stderr=err) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) > 10
    assert all(columns(line) <= WIDTH for line in lines), [x for x in lines if len(x) > WIDTH]
    assert "ChatExport_2026-03-09" in out.getvalue().split()  # names whole
    assert all(any(part in line for line in lines) for part in ("UTC –", "evault chats"))


def test_rm_on_a_terminal_fits_80_columns(run: Runner, tmp_path: Path) -> None:
    """'Deleted the content of <a 36-character id>. A signed record …' was one line of 150."""
    argv = ["--vault", str(run.folder), "--passphrase-file", str(run.pwfile)]
    for _round in range(2):
        note = tmp_path / f"n{_round}.txt"
        note.write_text(f"note {_round}", encoding="utf-8")
        assert run("add", str(note))[0] == 0
    first, second = (i["id"] for i in run.json("list"))
    out, err = _Terminal(), _Terminal()
    assert main([*argv, "rm", first, "--yes", "--reason", "x"], stdout=out, stderr=err) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) > 1 and all(len(line) <= WIDTH for line in lines)
    assert first in out.getvalue().split() or f"{first}." in out.getvalue().split()
    piped = run("rm", second, "--yes", "--reason", "x")[1]
    assert len(piped.splitlines()) == 1 and len(piped) > WIDTH


def test_rekey_and_a_new_age_key_on_a_terminal_fit_80_columns(run: Runner, tmp_path: Path) -> None:
    """Their sentences ran to 87-182 columns in en/ru/az; the public key stays whole on its own
    indented line (so do init's recovery key and fingerprint, by the same rule)."""
    argv = ["--vault", str(run.folder), "--passphrase-file", str(run.pwfile)]
    for lang in ("en", "ru", "az"):
        out, err = _Terminal(), _Terminal()
        assert main(["--lang", lang, *argv, "rekey"], stdout=out, stderr=err) == 0, err.getvalue()
        lines = out.getvalue().splitlines()
        assert len(lines) > 1 and all(columns(line) <= WIDTH for line in lines), lines
        out, err = _Terminal(), _Terminal()
        key = tmp_path / f"lawyer-{lang}.txt"
        code = main(["--lang", lang, "recipient", "new", "--out", str(key)], stdout=out, stderr=err)
        assert code == 0, err.getvalue()
        lines = out.getvalue().splitlines()
        assert all(columns(line) <= WIDTH or " " not in line.strip() for line in lines), lines
        public = next(line.strip() for line in lines if line.strip().startswith("age1"))
        assert public in key.read_text(encoding="ascii")  # whole, to copy
    piped = run("rekey")[1]
    assert len(piped.splitlines()) == 1 and len(piped) > WIDTH
