"""The text of messages and notes in report.html: printed, withheld when sensitive, inert when hostile.

Like tests/bundle/test_documents.py, the HTML is read back with ``html.parser`` (through its
``audit``, which also checks the rules every bundle document keeps), so "escaped" means the hostile
text came back as text, never as an element. The last tests export real bundles from a real vault
and read the report, and the custody event that records the choice. All people are fictional.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.bundle.support import Sample, make_sample
from tests.bundle.test_documents import HOSTILE, ITEM_IDS, SENSITIVE, Audit, audit, events, manifest
from tests.cli.runner import Runner
from tests.conftest import PASSPHRASE
from vault.bundle import layout
from vault.bundle.documents import TEXT_LIMIT, report_html
from vault.evidence.models import Metadata

MESSAGE = "Məqaləni sil.\nМы знаем, где ты живёшь.\n\nThink about your family."
NOTE = "Two men, a grey car, 21:40.\nPlate number 10-AA-000 (fictional)."
SENSITIVE_TEXT = "fictional intimate words 7731"
SHOWN = "sensitive — text printed"
WITHHELD = "Text withheld: marked sensitive; the exact text is in evidence/0002-message.txt."


def _texts() -> dict[str, str]:
    return {ITEM_IDS[1]: MESSAGE, ITEM_IDS[3]: NOTE}


def _sensitive_manifest() -> dict[str, Any]:
    """The fictional manifest with its message (item 2) marked sensitive."""
    m = manifest()
    m["items"][1]["metadata"]["sensitive"] = True
    return m


def _msgtexts(parser: Audit) -> list[str]:
    return parser.classes.get("msgtext", [])


# ----------------------------------------------------------------------------- printed


def test_message_and_note_texts_are_printed_with_their_items() -> None:
    parser = audit(report_html(manifest(), events(), texts=_texts()))
    assert _msgtexts(parser) == [MESSAGE, NOTE]  # line breaks kept, in item order
    text = parser.all_text
    # Each text follows its own item's fields, and names the file it is a copy of.
    item2 = text[text.index("Item 2: ") : text.index("Item 3: ", text.index("Item 2: "))]
    assert "as stored in evidence/0002-message.txt" in item2 and MESSAGE in item2
    assert "as stored in evidence/0004-note.txt" in text
    assert "prints the text of each message and note" in text
    assert "printed with each message and note; texts marked sensitive are withheld" in text
    assert parser.tags.count("bdi") == MESSAGE.count("\n") + 1 + NOTE.count("\n") + 1
    assert re.search(r"\.msgtext \{[^}]*white-space: pre-wrap", parser.style)
    assert re.search(r"\.msgtext \{[^}]*unicode-bidi: isolate", parser.style)


def test_files_never_get_a_text() -> None:
    texts = {**_texts(), ITEM_IDS[0]: "bytes of a picture", ITEM_IDS[2]: "bytes of a leak"}
    parser = audit(report_html(manifest(), events(), texts=texts))
    assert _msgtexts(parser) == [MESSAGE, NOTE]
    assert "bytes of a picture" not in parser.all_text
    assert "bytes of a leak" not in parser.all_text


def test_without_texts_the_report_says_it_shows_no_content() -> None:
    parser = audit(report_html(manifest(), events()))
    assert _msgtexts(parser) == []
    assert "it shows no evidence content and no images" in parser.all_text
    assert "Message texts" not in parser.all_text


def test_a_missing_text_names_its_file() -> None:
    parser = audit(report_html(manifest(), events(), texts={ITEM_IDS[3]: NOTE}))
    assert _msgtexts(parser) == [NOTE]
    assert "Text not printed here; the exact text is in evidence/0002-message.txt." in (
        parser.all_text
    )


def test_a_long_text_is_cut_and_says_where_the_rest_is() -> None:
    long = "".join(f"{n:06d} " for n in range(10_000))  # 70,000 characters, no two alike
    parser = audit(report_html(manifest(), events(), texts={ITEM_IDS[1]: long}))
    (printed,) = _msgtexts(parser)
    assert printed == long[:TEXT_LIMIT]
    assert TEXT_LIMIT == 20_000
    text = parser.all_text
    assert "only its first 20,000 characters are printed here; the full text is in " in text
    assert "[The text continues in evidence/0002-message.txt.]" in text


def test_each_line_takes_its_own_direction() -> None:
    text = "Səni tapacağıq!\nسنجدك (fictional) 123.\nEnglish again."
    raw = report_html(manifest(), events(), texts={ITEM_IDS[1]: text}).decode("utf-8")
    assert (
        '<div class="msgtext"><bdi>Səni tapacağıq!</bdi>\n<bdi>سنجدك (fictional) 123.</bdi>\n'
        "<bdi>English again.</bdi></div>"
    ) in raw


def test_an_empty_text_says_so() -> None:
    parser = audit(report_html(manifest(), events(), texts={ITEM_IDS[1]: ""}))
    assert _msgtexts(parser) == ["(empty)"]


# ----------------------------------------------------------------------------- sensitive


def test_a_sensitive_text_is_withheld_by_default() -> None:
    texts = {**_texts(), ITEM_IDS[1]: SENSITIVE_TEXT}
    document = report_html(_sensitive_manifest(), events(), texts=texts)
    parser = audit(document)
    assert SENSITIVE_TEXT not in parser.all_text
    assert SENSITIVE_TEXT.encode() not in document
    assert WITHHELD in " ".join(parser.all_text.split())
    assert _msgtexts(parser) == [NOTE]
    # Flagged as before: summary, heading and its "Sensitive" field, for items 2 and 3.
    assert parser.classes["flag"] == [SENSITIVE] * 6


def test_a_sensitive_text_is_printed_when_the_exporter_chose_so() -> None:
    texts = {**_texts(), ITEM_IDS[1]: SENSITIVE_TEXT}
    parser = audit(
        report_html(_sensitive_manifest(), events(), texts=texts, include_sensitive_text=True)
    )
    assert _msgtexts(parser) == [SENSITIVE_TEXT, NOTE]
    text = " ".join(parser.all_text.split())
    assert "marked sensitive; printed because the person exporting chose to" in text
    assert "including those marked sensitive: the person exporting chose to include them" in text
    assert "Text withheld" not in text
    # Item 2's mark says its text is printed; item 3 (a file) is still not previewed.
    assert parser.classes["flag"] == [SHOWN, SENSITIVE, SHOWN, SHOWN, SENSITIVE, SENSITIVE]


# ----------------------------------------------------------------------------- hostile


HOSTILE_TEXT = (
    "</bdi></div><script>alert(1)</script><img src=x onerror=alert(2)>\n"
    "invoice\u202egnp.exe \x1b[2J\x1b]8;;http://example.invalid\x07 \u2066isolate\u2069 \x00 end\r\n"
    "second line\rsame line?"
)


def test_hostile_text_is_escaped_shown_and_isolated() -> None:
    document = report_html(manifest(), events(), texts={ITEM_IDS[1]: HOSTILE_TEXT})
    parser = audit(document)  # no script, img, event handler or foreign resource
    raw = document.decode("utf-8")
    assert "<script>alert(1)" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    for hidden in ("\u202e", "\x1b", "\x07", "\u2066", "\u2069", "\x00", "\r"):
        assert hidden not in raw, repr(hidden)
    (printed,) = _msgtexts(parser)
    assert printed == (
        "</bdi></div><script>alert(1)</script><img src=x onerror=alert(2)>\n"
        "invoice[U+202E]gnp.exe [U+001B][2J[U+001B]]8;;http://example.invalid[U+0007] "
        "[U+2066]isolate[U+2069] [U+0000] end\n"
        "second line[U+000D]same line?"
    )
    # Each line sits in its own <bdi>, inside the text's block: nothing can reach the page.
    assert re.search(r'<div class="msgtext"><bdi>&lt;/bdi&gt;&lt;/div&gt;&lt;script&gt;', raw)
    assert raw.count("<bdi>") == raw.count("</bdi>") == 3
    assert "Item 3: " in parser.all_text  # the page after the text is still there


def test_hostile_values_around_the_text_stay_text() -> None:
    m = manifest()  # item 4 (a note) has hostile metadata of every kind
    parser = audit(report_html(m, events(), texts={ITEM_IDS[3]: HOSTILE}))
    assert _msgtexts(parser) == [HOSTILE]
    assert "script" not in parser.tags


# ----------------------------------------------------------------------------- print rules


def _rules(style: str) -> list[tuple[str, str]]:
    """(selectors, declarations) of every rule, @media print's included."""
    inner = re.sub(r"@media print \{(.*)\}\s*$", r"\1", style.strip(), flags=re.S)
    return [(s.strip(), d) for s, d in re.findall(r"([^{}]+)\{([^{}]*)\}", inner)]


def test_only_hashes_paths_and_commands_may_break_inside_a_word() -> None:
    style = audit(report_html(manifest(), events(), texts=_texts())).style
    breaking = [s for s, d in _rules(style) if "anywhere" in d or "break-all" in d]
    selectors = {part.strip() for s in breaking for part in s.split(",")}
    assert selectors == {".hash", ".machine", ".path", "pre"}, selectors
    rules = _rules(style)
    body = next(d for s, d in rules if s == "body")
    assert "overflow-wrap: break-word" in body  # a word breaks only if no line can hold it
    fingerprint = next(d for s, d in rules if s == ".fingerprint")
    assert "word-break: keep-all" in fingerprint and "overflow-wrap: normal" in fingerprint


def test_items_share_pages_and_no_paper_size_is_forced() -> None:
    style = audit(report_html(manifest(), events(), texts=_texts())).style
    assert "break-before: page" not in style and "page-break-before: always" not in style
    assert not re.search(r"@page \{[^}]*size", style)
    rules = _rules(style)
    avoid = [s for s, d in rules if "break-inside: avoid" in d]
    assert any(".item" in s.split(", ") for s in avoid)
    tables = [s for s, d in rules if "table-layout: fixed" in d]
    assert tables == ["table.fields, table.summary, table.timeline"]


# ----------------------------------------------------------------------------- export


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sample, str, Path]]:
    root = tmp_path_factory.mktemp("texts")
    sample = make_sample(root)
    secret = sample.vault.add_message(
        SENSITIVE_TEXT, Metadata(title="Private chat (fictional)", sensitive=True, case="Case A")
    ).item_id
    yield sample, secret, root
    sample.vault.close()


def _report(bundle: Path) -> Audit:
    with zipfile.ZipFile(bundle) as zf:
        return audit(zf.read(layout.REPORT))


def test_export_prints_texts_and_withholds_sensitive_ones(
    exported: tuple[Sample, str, Path],
) -> None:
    sample, _secret, root = exported
    bundle = root / "default.zip"
    sample.vault.export_bundle(bundle, everything=True)
    parser = _report(bundle)
    assert _msgtexts(parser) == [
        sample.texts[sample.message].decode(),
        sample.texts[sample.note].decode(),
    ]
    assert SENSITIVE_TEXT not in parser.all_text
    assert "Text withheld: marked sensitive; the exact text is in evidence/0005-message.txt." in (
        " ".join(parser.all_text.split())
    )
    event = sample.vault.custody_log()[-1]
    assert event.type == "bundle.exported"
    assert event.details["include_sensitive_text"] is False


def test_export_with_sensitive_texts_prints_them_and_records_the_choice(
    exported: tuple[Sample, str, Path],
) -> None:
    sample, secret, root = exported
    bundle = root / "sensitive.zip"
    sample.vault.export_bundle(bundle, item_ids=[secret], include_sensitive_text=True)
    parser = _report(bundle)
    assert _msgtexts(parser) == [SENSITIVE_TEXT]
    assert SHOWN in parser.classes["flag"]
    event = sample.vault.custody_log()[-1]
    assert event.type == "bundle.exported"
    assert event.details["include_sensitive_text"] is True
    # A later bundle's timeline tells the lawyer that this one printed sensitive texts.
    later = root / "later.zip"
    sample.vault.export_bundle(later, item_ids=[secret])
    assert "Its report printed the texts marked sensitive" in " ".join(
        _report(later).all_text.split()
    )


def test_the_writer_keeps_only_what_the_report_prints(
    exported: tuple[Sample, str, Path],
) -> None:
    sample, _secret, root = exported
    long = "ü" * (TEXT_LIMIT + 5_000)
    item = sample.vault.add_message(long, Metadata(title="Long (fictional)")).item_id
    bundle = root / "long.zip"
    sample.vault.export_bundle(bundle, item_ids=[item])
    (printed,) = _msgtexts(_report(bundle))
    assert printed == long[:TEXT_LIMIT]
    with zipfile.ZipFile(bundle) as zf:  # the evidence itself is whole, of course
        assert zf.read("evidence/0001-message.txt") == long.encode()


def test_the_command_line_option_reaches_the_report(tmp_path: Path) -> None:
    sample = make_sample(tmp_path)
    sample.vault.add_message(SENSITIVE_TEXT, Metadata(title="Private (fictional)", sensitive=True))
    sample.vault.close()  # the command line opens it itself
    pw = tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE + "\n", encoding="utf-8")
    run = Runner(sample.folder, pw)
    for option, shown in (([], False), (["--include-sensitive-text"], True)):
        bundle = tmp_path / f"bundle-{shown}.zip"
        code, _, err = run("export", "--all", *option, "--out", str(bundle))
        assert code == 0, err
        assert (SENSITIVE_TEXT in _report(bundle).all_text) is shown
        with zipfile.ZipFile(bundle) as zf:  # the evidence is in the bundle either way
            assert zf.read("evidence/0005-message.txt") == SENSITIVE_TEXT.encode()
