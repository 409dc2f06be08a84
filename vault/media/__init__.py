"""Pictures: decoding them safely in memory for small previews, and perceptual hashes that
recognise the same picture posted again without showing it."""
