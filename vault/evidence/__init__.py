"""Evidence: adding it, reading it back, editing and deleting what is said about it, listing,
searching, cases and media types. Originals are stored once, in chunks, and never modified."""
