"""Database schema as numbered migrations (docs/format.md §3.1).

Each migration runs once, inside the transaction that records it in ``schema_migrations``.
"""

from __future__ import annotations

from vault.errors import UnsupportedVersion
from vault.i18n import _
from vault.store.db import Connection

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "initial schema",
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE identity (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            algorithm TEXT NOT NULL,
            secret_key BLOB NOT NULL,
            public_key BLOB NOT NULL,
            created TEXT NOT NULL
        );
        CREATE TABLE cases (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            description TEXT NOT NULL DEFAULT '',
            created TEXT NOT NULL
        );
        CREATE TABLE contents (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL UNIQUE,
            size INTEGER NOT NULL,
            chunk_size INTEGER NOT NULL,
            chunk_count INTEGER NOT NULL
        );
        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY,
            content_id INTEGER NOT NULL REFERENCES contents(id),
            seq INTEGER NOT NULL,
            data BLOB NOT NULL,
            UNIQUE (content_id, seq)
        );
        CREATE TABLE items (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('file', 'message', 'note')),
            title TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            media_type TEXT NOT NULL DEFAULT 'application/octet-stream',
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            content_id INTEGER REFERENCES contents(id),
            captured_at TEXT NOT NULL,
            occurred_at TEXT,
            occurred_tz TEXT NOT NULL DEFAULT 'unknown',
            occurred_utc TEXT,
            platform TEXT NOT NULL DEFAULT '',
            source_url TEXT NOT NULL DEFAULT '',
            sender_handle TEXT NOT NULL DEFAULT '',
            sender_id TEXT NOT NULL DEFAULT '',
            original_filename TEXT NOT NULL DEFAULT '',
            sensitive INTEGER NOT NULL DEFAULT 0,
            case_id TEXT REFERENCES cases(id),
            parent_id TEXT REFERENCES items(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT,
            deleted_reason TEXT
        );
        CREATE INDEX items_sha256 ON items(sha256);
        CREATE INDEX items_case ON items(case_id);
        CREATE TABLE item_tags (
            item_id TEXT NOT NULL REFERENCES items(id),
            tag TEXT NOT NULL,
            PRIMARY KEY (item_id, tag)
        );
        CREATE TABLE messages (
            item_id TEXT PRIMARY KEY REFERENCES items(id),
            recipient TEXT NOT NULL DEFAULT '',
            sent_at TEXT,
            sent_tz TEXT NOT NULL DEFAULT 'unknown',
            sent_utc TEXT,
            thread TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE message_attachments (
            message_id TEXT NOT NULL REFERENCES items(id),
            item_id TEXT NOT NULL REFERENCES items(id),
            PRIMARY KEY (message_id, item_id)
        );
        CREATE TABLE custody (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            time TEXT NOT NULL,
            body BLOB NOT NULL,
            hash TEXT NOT NULL,
            signature BLOB NOT NULL
        );
        CREATE TABLE custody_items (
            item_id TEXT NOT NULL,
            seq INTEGER NOT NULL REFERENCES custody(seq),
            PRIMARY KEY (item_id, seq)
        );
        CREATE VIRTUAL TABLE search USING fts5(
            title, body, meta, tokenize = 'unicode61 remove_diacritics 0'
        );
        """,
    ),
]

MIGRATIONS.append(
    (
        2,
        # Only the two orders the list opens with: every index costs each insert, and at 50,000
        # items more indexes slowed adding far more than they sped up the rarer sorts.
        "indexes for the evidence list's default sort orders",
        """
        CREATE INDEX items_captured ON items(captured_at);
        CREATE INDEX items_occurred ON items(coalesce(occurred_utc, occurred_at, ''));
        """,
    )
)

MIGRATIONS.append(
    (
        3,
        "imports of platform exports, their messages, and perceptual hashes of pictures",
        """
        CREATE TABLE imports (
            id TEXT PRIMARY KEY,
            importer TEXT NOT NULL,
            importer_version TEXT NOT NULL,
            source_name TEXT NOT NULL,
            source_kind TEXT NOT NULL,
            source_sha256 TEXT NOT NULL,
            source_item_id TEXT NOT NULL REFERENCES items(id),
            settings TEXT NOT NULL,
            summary TEXT NOT NULL,
            created TEXT NOT NULL
        );
        CREATE INDEX imports_source ON imports(importer, source_sha256);
        CREATE TABLE import_messages (
            item_id TEXT PRIMARY KEY REFERENCES items(id),
            import_id TEXT NOT NULL REFERENCES imports(id),
            platform TEXT NOT NULL,
            chat_key TEXT NOT NULL,
            chat_title TEXT NOT NULL,
            message_key TEXT NOT NULL,
            sender_name TEXT NOT NULL,
            sender_id TEXT NOT NULL,
            time_raw TEXT NOT NULL,
            time_utc TEXT,
            time_source TEXT NOT NULL,
            time_zone TEXT NOT NULL,
            kind TEXT NOT NULL,
            reply_to TEXT NOT NULL,
            forwarded_from TEXT NOT NULL,
            edited_raw TEXT,
            missing_media TEXT NOT NULL,
            transformations TEXT NOT NULL,
            details TEXT NOT NULL
        );
        CREATE INDEX import_messages_key ON import_messages(platform, chat_key, message_key);
        CREATE INDEX import_messages_chat ON import_messages(chat_key, time_utc);
        CREATE TABLE perceptual_hashes (
            item_id TEXT PRIMARY KEY REFERENCES items(id),
            algorithm TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        """,
    )
)

MIGRATIONS.append(
    (
        4,
        # Without FTS5's secure-delete option a deleted row's words stay in the index behind a
        # delete marker, readable by anyone who opens the database (issue 13). The option makes
        # every later delete remove them; the rebuild drops what earlier deletions left behind.
        "search index: secure-delete on, index rebuilt without the words of deleted items",
        """
        INSERT INTO search (search, rank) VALUES ('secure-delete', 1);
        INSERT INTO search (search) VALUES ('rebuild');
        INSERT INTO search (search) VALUES ('optimize')
        """,
    )
)

MIGRATIONS.append(
    (
        5,
        "slot keys kept inside the database, so re-encryption can re-wrap every key slot",
        """
        CREATE TABLE slot_keys (slot_id TEXT PRIMARY KEY, slot_key BLOB NOT NULL)
        """,
    )
)

MIGRATIONS.append(
    (
        6,
        # An item event's signed body commits to its details by a salted hash; the details and
        # the salt are kept here, so deleting an item for good can drop them (docs/format.md §5.6).
        "custody details kept beside their sealed events",
        """
        CREATE TABLE custody_disclosures (
            seq INTEGER PRIMARY KEY REFERENCES custody(seq),
            salt BLOB NOT NULL,
            details BLOB NOT NULL
        )
        """,
    )
)

MIGRATIONS.append(
    (
        7,
        # Proof of time (issue 17, docs/format.md §5.7): requests written for a time-stamping
        # authority and not yet answered, and the checked answers (tokens) with what they stamped.
        "time-stamp requests and tokens",
        """
        CREATE TABLE timestamp_requests (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,
            nonce TEXT NOT NULL,
            head_seq INTEGER NOT NULL,
            imprint TEXT NOT NULL,
            statement BLOB NOT NULL
        );
        CREATE TABLE timestamps (
            id INTEGER PRIMARY KEY,
            head_seq INTEGER NOT NULL,
            head_hash TEXT NOT NULL,
            statement BLOB NOT NULL,
            token BLOB NOT NULL,
            token_sha256 TEXT NOT NULL UNIQUE,
            gen_time TEXT NOT NULL,
            tsa TEXT NOT NULL,
            ca BLOB NOT NULL,
            added TEXT NOT NULL
        )
        """,
    )
)

MIGRATIONS.append(
    (
        8,
        # Import format 2 (issue 16, docs/format.md §7.7): an import's messages are committed to
        # by its one signed event through the import statement instead of one event each, and
        # their originals and creation records are packed in compressed blocks. Earlier imports
        # (format 1) keep their per-message events and contents unchanged. The SHA-256 index
        # leaves out packed messages (nothing looks them up by hash; 90 bytes each).
        "imports committed to by one statement; messages packed in blocks",
        """
        ALTER TABLE imports ADD COLUMN format INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE imports ADD COLUMN event_seq INTEGER;
        ALTER TABLE imports ADD COLUMN record_hashes BLOB;
        ALTER TABLE import_messages ADD COLUMN leaf INTEGER;
        DROP INDEX items_sha256;
        CREATE INDEX items_sha256 ON items(sha256) WHERE content_id IS NOT NULL;
        CREATE TABLE packed (
            id INTEGER PRIMARY KEY,
            import_id TEXT NOT NULL REFERENCES imports(id),
            block INTEGER NOT NULL,
            data BLOB NOT NULL,
            UNIQUE (import_id, block)
        )
        """,
    )
)

MIGRATIONS.append(
    (
        9,
        # Live search (issue 18): a prefix typed ("v", "vo", "voi") read the index entry of every
        # word it starts, for every hit, before the first result. Prefix indexes up to six
        # letters give those hits newest first at once. Without word positions (detail = none;
        # nothing searches phrases or ranks, docs/format.md §3.2) the index stays as large as
        # before. The new table is filled from the old one's text, which holds only live items
        # (a deletion removes an item's entry); the old table's pages are zeroed as they are
        # freed (PRAGMA secure_delete, store/db.py).
        "search index: newest hits first for words and prefixes of up to six letters",
        """
        CREATE VIRTUAL TABLE search_new USING fts5(
            title, body, meta, tokenize = 'unicode61 remove_diacritics 0',
            detail = none, prefix = '1 2 3 4 5 6'
        );
        INSERT INTO search_new (search_new, rank) VALUES ('secure-delete', 1);
        INSERT INTO search_new (rowid, title, body, meta) SELECT rowid, title, body, meta FROM search;
        DROP TABLE search;
        ALTER TABLE search_new RENAME TO search;
        INSERT INTO search (search) VALUES ('optimize')
        """,
    )
)

MIGRATIONS.append(
    (
        10,
        # Issue 16: chat exports and other text shrink five to ten times, and a big import's
        # result.json was most of its vault growth. A chunk is kept compressed only where that
        # pays (vault/evidence/chunkcodec.py); chunks written before stay as they are (0 = raw).
        # Tags and message fields are looked up only by item id: without a rowid, the table is
        # its own index, and every imported message costs about 90 bytes less (both were a table
        # plus an index of the same key; docs/performance.md).
        "originals' chunks may be kept compressed; tags and message fields stored by item id",
        """
        ALTER TABLE chunks ADD COLUMN encoding INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE item_tags_new (
            item_id TEXT NOT NULL REFERENCES items(id),
            tag TEXT NOT NULL,
            PRIMARY KEY (item_id, tag)
        ) WITHOUT ROWID;
        INSERT INTO item_tags_new (item_id, tag) SELECT item_id, tag FROM item_tags;
        DROP TABLE item_tags;
        ALTER TABLE item_tags_new RENAME TO item_tags;
        CREATE TABLE messages_new (
            item_id TEXT PRIMARY KEY REFERENCES items(id),
            recipient TEXT NOT NULL DEFAULT '',
            sent_at TEXT,
            sent_tz TEXT NOT NULL DEFAULT 'unknown',
            sent_utc TEXT,
            thread TEXT NOT NULL DEFAULT ''
        ) WITHOUT ROWID;
        INSERT INTO messages_new (item_id, recipient, sent_at, sent_tz, sent_utc, thread)
            SELECT item_id, recipient, sent_at, sent_tz, sent_utc, thread FROM messages;
        DROP TABLE messages;
        ALTER TABLE messages_new RENAME TO messages
        """,
    )
)

LATEST = MIGRATIONS[-1][0]


def current_version(conn: Connection) -> int:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if not exists:
        return 0
    row = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def migrate(conn: Connection, now: str) -> None:
    """Bring the schema up to :data:`LATEST`; refuse a database made by a newer program."""
    version = current_version(conn)
    if version > LATEST:
        raise UnsupportedVersion(
            _(
                "This vault was made by a newer version of evidence-vault. "
                "Install the newer version to open it; nothing was changed."
            )
        )
    if version == LATEST:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, applied TEXT NOT NULL, description TEXT NOT NULL)"
        )
        for number, description, sql in MIGRATIONS:
            if number <= version:
                continue
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, applied, description) VALUES (?, ?, ?)",
                (number, now, description),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]
