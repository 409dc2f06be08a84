"""The computer the vault runs on: where vaults live by default, portable mode (everything on a
USB stick, nothing on the host), and the demo vault for workshops."""
