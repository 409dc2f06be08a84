"""The command line speaks the chosen language: help, argparse's own words, usage sentences,
messages, plurals and the demo's summary in Azerbaijani and Russian; English unchanged; ``--json``
stays English; ``--lang`` beats ``EVAULT_LANG``, which beats the system locale (issue 15)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli.runner import Runner, run_main
from tests.conftest import PASSPHRASE, MakeVault
from tui.app import EvaultApp

LOCALE_VARIABLES = ("EVAULT_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


@pytest.fixture
def system_language(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No language chosen anywhere (the suite's EVAULT_LANG=en removed): each test sets its own."""
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch


@pytest.fixture
def system_help(
    system_language: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., str]:
    """``evault ARGV --help`` through ``main()`` with only ``env`` naming the language (argparse
    writes the help to the process's standard output)."""

    def help_text(env: dict[str, str], *argv: str) -> str:
        for name, value in env.items():
            system_language.setenv(name, value)
        capsys.readouterr()
        code, _out, err = run_main([*argv, "--help"])
        assert code == 0, err
        return capsys.readouterr().out

    return help_text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("az_AZ.UTF-8", ["istifadə: evault", "seçimlər:", "bu kömək mesajını göstər və çıx"]),
        ("ru_RU.UTF-8", ["использование: evault", "параметры:", "показать эту справку и выйти"]),
        ("en_US.UTF-8", ["usage: evault", "options:", "show this help message and exit"]),
    ],
)
def test_the_real_program_writes_its_help_in_the_system_language(
    lang: str, words: list[str]
) -> None:
    """``python -m tui --help`` as a person runs it: only LANG says the language."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    env.update(LANG=lang, PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "-m", "tui", "--help"],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("utf-8")
    for word in words:
        assert word in out
    assert done.stderr == b""


def test_help_in_azerbaijani(system_help: Callable[..., str]) -> None:
    out = system_help({"LANG": "az_AZ.UTF-8"})
    assert out.startswith("istifadə: evault [-h]")
    assert "mövqe arqumentləri:" in out
    assert "seçimlər:" in out
    assert "yeni seyf yarat və onun bərpa açarını bir dəfə göstər" in out  # a command's help
    assert "Çıxış kodları: 0 uğur" in out  # the epilog
    assert "usage:" not in out and "options:" not in out


def test_help_of_a_command_in_russian(system_help: Callable[..., str]) -> None:
    out = system_help({"LANG": "ru_RU.UTF-8"}, "recovery", "shares")
    assert out.startswith("использование: evault recovery shares [-h]")
    assert "параметры:" in out
    assert "сколько долей вместе открывают хранилище" in out
    assert "show this help message" not in out


def test_help_in_english_is_unchanged(system_help: Callable[..., str]) -> None:
    out = system_help({"LANG": "en_US.UTF-8"})
    assert out.startswith("usage: evault [-h] [--version] [--vault PATH]")
    assert "\npositional arguments:\n" in out
    assert "\noptions:\n  -h, --help            show this help message and exit\n" in out
    assert "Offline, encrypted evidence vault with a signed chain of custody." in out


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        (["--lang", "ru"], {"EVAULT_LANG": "az", "LANG": "en_US.UTF-8"}, "использование:"),
        (["--lang=az"], {"EVAULT_LANG": "ru", "LANG": "ru_RU.UTF-8"}, "istifadə:"),
        ([], {"EVAULT_LANG": "az", "LANG": "ru_RU.UTF-8"}, "istifadə:"),
        ([], {"EVAULT_LANG": "ru", "LANG": "az_AZ.UTF-8"}, "использование:"),
        ([], {"LANG": "ru_RU.UTF-8"}, "использование:"),
        (["--lang", "en"], {"EVAULT_LANG": "ru", "LANG": "az_AZ.UTF-8"}, "usage:"),
        ([], {"LANG": "de_DE.UTF-8"}, "usage:"),
    ],
)
def test_lang_beats_evault_lang_beats_the_system_locale(
    argv: list[str], env: dict[str, str], expected: str, system_help: Callable[..., str]
) -> None:
    assert system_help(env, *argv).startswith(expected)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["--lang", "az", "frob"],
            "evault: 'frob' evault əmri deyil; əmrlərin siyahısı: 'evault --help'.\n",
        ),
        (
            ["--lang", "ru", "list", "--bogus"],
            "evault: 'evault' не знает --bogus; см. 'evault --help'.\n",
        ),
        (
            ["--lang", "ru", "demo"],
            "evault: 'evault demo' нужно указать PATH; см. 'evault demo --help'.\n",
        ),
        (
            ["--lang", "az", "chat", "k", "--limit", "x"],
            "evault: 'x' --limit üçün düzgün dəyər deyil; 'evault chat --help' baxın.\n",
        ),
        (
            ["--lang", "ru", "passwd", "--new-keyfile", "a", "--no-keyfile"],
            "evault: Используйте либо --no-keyfile, либо --new-keyfile, но не оба; см. "
            "'evault passwd --help'.\n",
        ),
        (["frob"], "evault: 'frob' is not a command of evault; 'evault --help' lists them.\n"),
    ],
)
def test_usage_mistakes_are_one_translated_sentence(argv: list[str], expected: str) -> None:
    code, out, err = run_main(argv)
    assert (code, out, err) == (2, "", expected)


def test_wrong_passphrase_keeps_its_exit_code_and_one_line(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """The sentence itself is the vault's (translated there); the line and the code are ours."""
    vault, _recovery = make_vault()
    vault.close()
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase at all\n", encoding="utf-8")
    for lang in ("az", "ru", "en"):
        folder = str(tmp_path / "v.evault")
        code, out, err = run_main(
            ["--lang", lang, "--vault", folder, "--passphrase-file", str(wrong), "list"]
        )
        assert code == 2
        assert out == ""
        assert err.startswith("evault: ") and err.count("\n") == 1
        assert "Traceback" not in err


def test_a_mistyped_passphrase_is_asked_again_in_russian_with_its_plural(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """At the prompt, a wrong passphrase may be typed again: the count of tries left in Russian's
    own plural forms ("2 попытки", "1 попытка"). Only the typing is stood in for (no terminal)."""
    vault, _recovery = make_vault()
    vault.close()
    typed = iter(["wrong one", "wrong two", PASSPHRASE])
    prompts: list[str] = []

    def prompt_secret(prompt: str, what: str, option: str | None = None) -> str:
        prompts.append(prompt)
        return next(typed)

    monkeypatch.setattr("tui.context.prompt_secret", prompt_secret)
    code, out, err = run_main(["--lang", "ru", "--vault", str(tmp_path / "v.evault"), "list"])
    assert code == 0, err
    assert prompts == ["Парольная фраза: "] * 3
    assert err == (
        "evault: Эта парольная фраза не открывает хранилище; попробуйте ещё раз "
        "(осталось 2 попытки).\n"
        "evault: Эта парольная фраза не открывает хранилище; попробуйте ещё раз "
        "(осталась 1 попытка).\n"
    )
    assert out == "Материалов нет.\n"


@pytest.mark.usefixtures("patch_fast_kdf")
@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "az",
            [
                "Nümayiş seyfi yaradıldı: {folder}\n",
                "Ona heç vaxt real sübut qoymayın: onun parol ifadəsi hamıya məlumdur.",
                "Parol ifadəsi:\n    ",
                "Açmaq üçün: evault --vault {folder}\n",
            ],
        ),
        (
            "ru",
            [
                "Учебное хранилище создано: {folder}\n",
                "Никогда не кладите в него настоящие доказательства",
                "Парольная фраза:\n    ",
                "Открыть: evault --vault {folder}\n",
            ],
        ),
    ],
)
def test_demo_prints_its_summary_in_the_chosen_language(
    lang: str, words: list[str], tmp_path: Path
) -> None:
    folder = tmp_path / "Workshop.evault"
    code, out, err = run_main(["--lang", lang, "demo", str(folder)])
    assert code == 0, err
    for word in words:
        assert word.format(folder=folder) in out
    assert "Demo vault created" not in out


def test_check_and_list_in_russian_with_plurals_and_json_in_english(
    run: Runner, tmp_path: Path
) -> None:
    for index in range(2):
        path = tmp_path / f"photo{index}.txt"
        path.write_text(f"evidence {index}\n", encoding="utf-8")
        code, out, err = run("--lang", "ru", "add", str(path), "--sensitive")
        assert code == 0, err
        assert "  добавлен: " in out
    code, out, err = run("--lang", "ru", "check")
    assert code == 0, err
    assert out.startswith("Проверено: 2 материала (")  # two: the "few" form
    assert "Всё в порядке:" in out
    code, out, err = run("--lang", "az", "list")
    assert code == 0, err
    assert "  fayl     " in out and "[HƏSSAS]" in out
    assert out.endswith("2 material. Tam id-lər: --json.\n")
    # Scripts read --json: its keys and values stay English in every language.
    code, out, err = run("--lang", "ru", "list", "--json")
    assert code == 0, err
    items = json.loads(out)
    assert {item["kind"] for item in items} == {"file"}
    assert set(items[0]) >= {"id", "kind", "title", "sha256", "sensitive"}


def test_show_labels_in_azerbaijani(run: Runner, tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("a threat\n", encoding="utf-8")
    code, out, err = run("add", str(path), "--title", "Threat")
    assert code == 0, err
    item_id = out.split()[0]
    code, out, err = run("--lang", "az", "show", item_id)
    assert code == 0, err
    assert "Başlıq:" in out and "Fayl kodu:" in out and "Ölçü:" in out
    assert "Threat" in out  # the evidence's own words are never translated
    assert "(Fayl kodu: orijinalın SHA-256-sı;" in out


class _Ran(Exception):
    """Raised instead of drawing the app: the test only needs what it was given."""


@pytest.mark.parametrize(
    ("argv", "env", "fixed"),
    [
        (["--lang", "az"], {}, True),
        ([], {"EVAULT_LANG": "ru"}, True),
        ([], {"LANG": "ru_RU.UTF-8"}, False),
        ([], {"EVAULT_LANG": "fr", "LANG": "az_AZ.UTF-8"}, False),  # not a language we have
    ],
)
def test_the_app_keeps_a_language_chosen_for_this_run(
    argv: list[str],
    env: dict[str, str],
    fixed: bool,
    system_language: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """``evault --lang az ui``: the vault's own language setting must not change it at unlock."""
    for name, value in env.items():
        system_language.setenv(name, value)
    seen: list[bool] = []

    def run_app(app: EvaultApp) -> None:
        seen.append(app.language_fixed)

    system_language.setattr(EvaultApp, "run", run_app)
    code, _out, err = run_main([*argv, "--vault", str(tmp_path / "v.evault"), "ui"])
    assert code == 0, err
    assert seen == [fixed]


def test_a_secret_file_problem_is_said_in_the_chosen_language(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """The secret's own name ("парольная фраза") is translated too, never glued into a sentence
    whose grammar it would break."""
    vault, _recovery = make_vault()
    vault.close()
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    folder = str(tmp_path / "v.evault")
    expected = {
        "ru": "evault: Файл с парольной фразой пуст; в его первой строке должна быть парольная фраза.\n",
        "az": "evault: Parol ifadəsi faylı boşdur; onun ilk sətrində parol ifadəsi olmalıdır.\n",
        "en": "evault: The passphrase file is empty; its first line should hold the passphrase.\n",
    }
    for lang, sentence in expected.items():
        code, out, err = run_main(
            ["--lang", lang, "--vault", folder, "--passphrase-file", str(empty), "list"]
        )
        assert (code, out, err) == (2, "", sentence)
