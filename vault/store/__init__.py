"""Storage: the vault folder, ``vault.db`` (SQLCipher, schema and migrations), ``vault.keys`` (key
slots: unlocking and changing keys), the process lock, and the unlocked session every write goes
through."""
