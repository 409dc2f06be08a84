"""Where the vault lives when no --vault is given."""

from __future__ import annotations

from pathlib import Path

from vault.host.paths import default_vault_path

HOME = Path("/home/defender")


def test_environment_variable_wins_everywhere() -> None:
    for platform in ("linux", "darwin", "win32"):
        env = {"EVAULT_VAULT": "/media/usb/Case.evault", "XDG_DATA_HOME": "/x", "APPDATA": "/a"}
        assert default_vault_path(env, platform, HOME) == Path("/media/usb/Case.evault")


def test_environment_variable_expands_home() -> None:
    path = default_vault_path({"EVAULT_VAULT": "~/v.evault"}, "linux", HOME)
    assert "~" not in str(path)
    assert path.name == "v.evault"


def test_empty_environment_variable_is_ignored() -> None:
    path = default_vault_path({"EVAULT_VAULT": ""}, "linux", HOME)
    assert path == HOME / ".local/share/evidence-vault/Evidence.evault"


def test_linux_default_and_xdg() -> None:
    assert (
        default_vault_path({}, "linux", HOME)
        == HOME / ".local/share/evidence-vault/Evidence.evault"
    )
    assert default_vault_path({"XDG_DATA_HOME": "/data"}, "linux", HOME) == Path(
        "/data/evidence-vault/Evidence.evault"
    )
    assert (
        default_vault_path({}, "freebsd13", HOME)
        == HOME / ".local/share/evidence-vault/Evidence.evault"
    )


def test_macos_default() -> None:
    assert default_vault_path({}, "darwin", HOME) == (
        HOME / "Library/Application Support/evidence-vault/Evidence.evault"
    )


def test_windows_default() -> None:
    assert default_vault_path({"APPDATA": "/appdata"}, "win32", HOME) == Path(
        "/appdata/evidence-vault/Evidence.evault"
    )
    assert (
        default_vault_path({}, "win32", HOME)
        == HOME / "AppData/Roaming/evidence-vault/Evidence.evault"
    )


def test_real_environment_is_used_by_default(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVAULT_VAULT", "/tmp/somewhere.evault")
    assert default_vault_path() == Path("/tmp/somewhere.evault")
