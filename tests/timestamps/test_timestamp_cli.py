"""Proof of time end to end with a real local RFC 3161 authority (``openssl ts -reply``): request,
answer, add, export, ``evault verify`` and ``openssl ts -verify`` on the bundle's own members; a
fourth item added after the stamp is not covered."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.runner import Runner, run_main
from tests.timestamps.tsa import LocalTSA

pytestmark = pytest.mark.slow  # real openssl processes and several vault openings


@dataclass
class Stamped:
    run: Runner
    tsa: LocalTSA
    items: list[str]  # ids, the fourth added after the stamp
    answer: Path
    folder: Path


@pytest.fixture
def stamped(run: Runner, tmp_path: Path) -> Iterator[Stamped]:
    tsa = LocalTSA(tmp_path / "tsa")
    ids = []
    for n in range(3):
        evidence = tmp_path / f"photo{n}.txt"
        evidence.write_text(f"evidence {n}\n")
        ids.append(run.json("add", str(evidence))[0]["item_id"])
    code, out, err = run("timestamp", "request", "--out", str(tmp_path / "head.tsq"))
    assert code == 0, err
    assert "curl -H 'Content-Type: application/timestamp-query' --data-binary @head.tsq" in out
    answer = tsa.answer(tmp_path / "head.tsq")
    code, out, err = run("timestamp", "add", str(answer), "--ca", str(tsa.ca_pem))
    assert code == 0, err
    assert "Proof of time kept: Test TSA" in out
    late = tmp_path / "late.txt"
    late.write_text("added after the stamp\n")
    ids.append(run.json("add", str(late))[0]["item_id"])
    yield Stamped(run, tsa, ids, answer, tmp_path)


def test_the_bundle_proves_the_time_of_the_first_three_items_only(stamped: Stamped) -> None:
    run, folder = stamped.run, stamped.folder
    listed = run.json("timestamp", "list")
    assert [t["tsa"] for t in listed["tokens"]] == ["Test TSA"] and listed["pending"] == []
    bundle = folder / "b.zip"
    code, _out, err = run("export", "--all", "--out", str(bundle))
    assert code == 0, err

    code, out, err = run_main(["verify", str(bundle)])
    assert code == 4, err  # intact; the signer not confirmed (no --key): unchanged by stamps
    assert "passed  Proof of time: 1 time-stamp token verified (Test TSA)" in out
    result = json.loads(run_main(["verify", str(bundle), "--json"])[1])
    gen_time = listed["tokens"][0]["gen_time"]
    by_path = {i["path"]: i for i in result["items"]}
    manifest = json.loads(zipfile.ZipFile(bundle).read("manifest.json"))
    times = {e["id"]: by_path[e["path"]]["existed_by"] for e in manifest["items"]}
    assert [times[i] for i in stamped.items] == [gen_time, gen_time, gen_time, None]
    assert out.count(f"existed no later than {gen_time} (Test TSA)") == 3
    # report.html says the same of the same three items (a claim there; verify checks it).
    report = zipfile.ZipFile(bundle).read("report.html").decode("utf-8")
    blocks = report.split('<div class="item')[1:]
    assert len(blocks) == 4
    proven = ["existed no later than" in block and "timestamps/1.tsr" in block for block in blocks]
    order = {e["id"]: n for n, e in enumerate(manifest["items"])}
    assert [proven[order[i]] for i in stamped.items] == [True, True, True, False]
    # VERIFY.txt tells a lawyer the openssl command; a bundle without tokens does not.
    steps = zipfile.ZipFile(bundle).read("VERIFY.txt").decode("ascii")
    assert "PROOF OF TIME" in steps
    assert "openssl ts -verify -data timestamps/1.data -in timestamps/1.tsr -CAfile" in steps

    # A lawyer's own tools on the bundle's members: the token verifies over the stamped bytes,
    # and the item's custody event hash is in those bytes.
    unpacked = folder / "unpacked"
    zipfile.ZipFile(bundle).extractall(unpacked)
    data, token = unpacked / "timestamps/1.data", unpacked / "timestamps/1.tsr"
    checked = stamped.tsa.verify(data, token)
    assert checked.returncode == 0 and b"Verification: OK" in checked.stdout, checked.stderr
    statement = data.read_text()
    lines = [json.loads(x) for x in (unpacked / "custody.jsonl").read_text().splitlines()]
    for line in lines:
        body = line["body"]
        if body["type"] == "item.created":
            covered = f"\n{body['seq']} {line['hash']}\n" in statement
            assert covered == (body["item"]["id"] != stamped.items[3])


def test_an_altered_member_fails_openssl_and_verify(stamped: Stamped) -> None:
    folder = stamped.folder
    bundle = folder / "b.zip"
    assert stamped.run("export", "--all", "--out", str(bundle))[0] == 0
    unpacked = folder / "unpacked"
    zipfile.ZipFile(bundle).extractall(unpacked)
    data = unpacked / "timestamps/1.data"
    data.write_bytes(data.read_bytes().replace(b"head_seq", b"head_seQ"))
    assert stamped.tsa.verify(data, unpacked / "timestamps/1.tsr").returncode != 0


def test_list_in_words(stamped: Stamped) -> None:
    code, out, err = stamped.run("timestamp", "list")
    assert code == 0, err
    assert "Test TSA: the custody log up to event" in out
