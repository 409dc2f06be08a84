"""The pictures part of the :class:`vault.facade.Vault` facade: small previews, re-posts found by
perceptual hash, and the hash list for takedown requests. Pillow loads only when first needed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vault.custody import log as custody
from vault.evidence import reading
from vault.store.unlocked import Unlocked, calm

if TYPE_CHECKING:
    from vault.media.imaging import Preview
    from vault.media.similar import SimilarResult

PREVIEW_MAX_BYTES = 64 * 1024 * 1024  # larger pictures get the placeholder, not a decode


class MediaAPI(Unlocked):
    """Pictures, shown small or compared, never written anywhere."""

    @calm
    def image_preview(
        self, item_id: str, max_cols: int, max_rows: int, *, reveal: bool = False
    ) -> Preview | None:
        """A small picture of an image item for the terminal, or None if there is none to show.

        Sensitive items get no preview unless ``reveal`` is set (the defender confirmed), and then
        the reveal is recorded like any other view. The small preview of a non-sensitive picture
        is not recorded: it never leaves the screen. Decoding happens in memory only.
        """
        from vault.media import imaging  # noqa: PLC0415 - Pillow loads only when a picture is shown

        with self._mutex:
            item, chunk_rows = reading.content_rows(self.session, item_id)
            if not item.media_type.startswith("image/") or item.size > PREVIEW_MAX_BYTES:
                return None
            if item.sensitive and not reveal:
                return None
            data = b"".join(reading.iter_chunks(self.session, chunk_rows, self._mutex))
            if item.sensitive:
                reading.record(
                    self.session,
                    custody.ITEM_VIEWED,
                    item,
                    None,
                    details={"how": "preview shown"},
                )
        return imaging.preview(data, max_cols, max_rows)

    @calm
    def similar(self, item_id: str) -> SimilarResult:
        """Pictures that look like this one (re-posts), and the messages that carried them."""
        from vault.media import similar  # noqa: PLC0415

        with self._mutex:
            return similar.find_similar(self.session, item_id)

    @calm
    def picture_hashes(self, case: str | None = None) -> list[dict[str, Any]]:
        """Perceptual hashes of the pictures, for hash-matching takedown requests."""
        from vault.media import similar  # noqa: PLC0415

        with self._mutex:
            return similar.hash_list(self.session, case)
