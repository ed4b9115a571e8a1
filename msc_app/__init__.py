"""MSC - Managed Services Center."""
