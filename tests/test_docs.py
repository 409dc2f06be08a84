"""Docs are part of the feature: every command is documented and shown in --help."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from tui.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:  # argparse has no public way to list subcommands
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_command_is_documented_in_cli_md() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `evault ([a-z-]+)", text, flags=re.M))
    assert documented == set(_commands())
    assert "### `evault recipient new" in text


def test_every_option_is_documented() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    parsers = list(_commands().items())
    for group in ("recipient", "recovery"):
        for action in dict(parsers)[group]._actions:
            if isinstance(action, argparse._SubParsersAction):
                parsers += [(f"{group} {n}", p) for n, p in action.choices.items()]
    parsers.append(("(global)", build_parser()))
    for name, sub in parsers:
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in text, f"{name} {option} is not in docs/cli.md"


def test_readme_starts_with_the_two_commands() -> None:
    lines = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line]
    assert lines[1].startswith("Run: `") and "evault" in lines[1]
    assert lines[2].startswith("Test: `") and "pytest" in lines[2]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = lines[2].removeprefix("Test: `").removesuffix("`")
    assert test_command in ci


def test_exit_codes_match_the_code() -> None:
    from vault import errors

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for code in (
        errors.EXIT_OK,
        errors.EXIT_VERIFY_FAILED,
        errors.EXIT_USER_ERROR,
        errors.EXIT_INTERNAL,
        errors.EXIT_SIGNER_NOT_CONFIRMED,
        errors.EXIT_INTERRUPTED,
    ):
        assert f"| {code} |" in text


def _fenced(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.M | re.S)


def test_the_lawyers_recipe_prints_the_spoken_digits_from_a_real_bundle(tmp_path: Path) -> None:
    """docs/lawyers.md's recipe, run verbatim with sh in an unzipped bundle, prints exactly the 30
    digits `evault identity` shows: a lawyer with coreutils can tell the defender's bundle."""
    import shutil
    import subprocess
    import zipfile

    from tests.conftest import PASSPHRASE, fast_kdf
    from vault import Metadata, Vault

    text = (ROOT / "docs" / "lawyers.md").read_text(encoding="utf-8")
    (recipe,) = [b for b in _fenced(text, "sh") if "keys/" in b and "sha256sum" in b]
    vault, _ = Vault.create(tmp_path / "v.evault", PASSPHRASE, kdf=fast_kdf)
    with vault:
        vault.add_note("note", Metadata(title="note"))
        vault.export_bundle(tmp_path / "bundle.zip", everything=True)
        spoken = vault.identity()["fingerprint"]
    folder = tmp_path / "bundle"
    with zipfile.ZipFile(tmp_path / "bundle.zip") as zf:
        zf.extractall(folder)  # our own bundle: a test, not a lawyer's untrusted file
    for shell in ("sh", "bash", "dash"):
        if shutil.which(shell) is None:
            continue
        done = subprocess.run(
            [shell, "-c", recipe], cwd=folder, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == spoken + "\n", shell
    # The same lines as VERIFY.txt gives, step for step.
    verify_txt = (folder / "VERIFY.txt").read_text("ascii")
    assert "\n".join("    " + line for line in recipe.rstrip("\n").split("\n")) in verify_txt
    mac = [b for b in _fenced(text, "sh") if "keys/" in b and "shasum -a 256 |" in b]
    assert mac == [recipe.replace("sha256sum", "shasum -a 256")]
    (ps,) = [b for b in _fenced(text, "powershell") if "keys\\evault.pub" in b]
    assert "\n".join("    " + line for line in ps.rstrip("\n").split("\n")) in verify_txt


def test_lawyers_guide_and_verify_txt_number_the_steps_alike(tmp_path: Path) -> None:
    from vault.bundle.documents import verify_txt

    guide = (ROOT / "docs" / "lawyers.md").read_text(encoding="utf-8")
    manifest = {"signer": {}, "items": [], "bundle_id": "x", "created": "y"}
    steps_txt = re.findall(r"^STEP (\d)\. (.+)$", verify_txt(manifest).decode(), flags=re.M)
    steps_md = re.findall(r"^\*\*Step (\d)\. (.+?)\*\*", guide, flags=re.M)
    assert [n for n, _ in steps_txt] == [n for n, _ in steps_md] == list("1234567")
    for document in (guide, verify_txt(manifest).decode()):
        assert "ssh-keygen -l -f keys/evault_ssh.pub" in document
        assert "minisign -Vm SHA256SUMS -P" in document
