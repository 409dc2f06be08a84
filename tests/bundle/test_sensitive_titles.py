"""A bundle's human-readable documents follow the same rule as the app and the command line: a
sensitive item's title (often its first line or its file name), description, sender and file name
are withheld from report.html unless the person exporting chose ``--include-sensitive-text``; the
file names inside the ZIP, VERIFY.txt, verify's output and the certificate never show them
(issue 14, item 2). The manifest, the machine record a lawyer's tools read, keeps them all.
"""

from __future__ import annotations

import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import MakeVault
from tests.sensitive_support import (
    CHAT_WORD,
    DESCRIPTION_WORD,
    FILE_WORD,
    MESSAGE_WORD,
    PLANTED,
    SENDER,
    fill,
    planted_in,
)
from vault import certificate_html
from vault.bundle import layout
from vault.bundle.verify import verify_zip


class _Text(HTMLParser):
    """The text a reader sees (and prints): markup dropped, entities decoded."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text(document: bytes) -> str:
    parser = _Text()
    parser.feed(document.decode("utf-8"))
    return " ".join(parser.parts)


@pytest.fixture
def bundles(make_vault: MakeVault, tmp_path: Path) -> dict[bool, Path]:
    """The same vault exported twice: without and with ``include_sensitive_text``."""
    vault, _ = make_vault("sensitive.evault")
    fill(vault, tmp_path)
    made = {}
    for include in (False, True):
        out = tmp_path / f"bundle-{include}.zip"
        vault.export_bundle(out, everything=True, include_sensitive_text=include)
        made[include] = out
    return made


def test_report_withholds_sensitive_titles_senders_and_names(bundles: dict[bool, Path]) -> None:
    with zipfile.ZipFile(bundles[False]) as zf:
        report = _text(zf.read(layout.REPORT))
    assert planted_in(report) == []
    assert "Sensitive message (Telegram)" in report and "Sensitive picture (Telegram)" in report
    # The sender of a sensitive item is withheld from the printed report too.
    assert SENDER not in report
    assert "withheld (marked sensitive)" in report


def test_report_prints_them_when_the_defender_chose_to(bundles: dict[bool, Path]) -> None:
    with zipfile.ZipFile(bundles[True]) as zf:
        report = _text(zf.read(layout.REPORT))
    assert sorted(planted_in(report)) == sorted(PLANTED)
    assert SENDER in report


@pytest.mark.parametrize("include", [False, True])
def test_names_verify_text_and_certificate_never_show_them(
    bundles: dict[bool, Path], include: bool
) -> None:
    with zipfile.ZipFile(bundles[include]) as zf:
        names = zf.namelist()
        verify_text = zf.read(layout.VERIFY).decode("utf-8")
        sums = zf.read(layout.SUMS).decode("utf-8")
        manifest = json.loads(zf.read(layout.MANIFEST))
    assert planted_in(" ".join(names)) == []
    assert planted_in(sums) == [] and planted_in(verify_text) == []
    # The sensitive picture keeps its type, so the lawyer's computer can open it.
    assert [n for n in names if re.fullmatch(r"evidence/\d{4}-sensitive\.jpg", n)]
    result = verify_zip(bundles[include])
    assert result.intact
    assert planted_in(" ".join(item.title for item in result.items)) == []
    certificate = _text(certificate_html(result.to_json()))
    assert planted_in(certificate) == []
    assert "Sensitive picture" in certificate
    # The manifest, read by tools and not printed, keeps what was recorded.
    titles = " ".join(str(i["metadata"]["title"]) for i in manifest["items"])
    assert {MESSAGE_WORD, FILE_WORD, CHAT_WORD} <= set(planted_in(titles))
    descriptions = " ".join(str(i["metadata"]["description"]) for i in manifest["items"])
    assert DESCRIPTION_WORD in descriptions
