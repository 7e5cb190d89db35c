"""Asking before an archive or a delete: a page that says what will happen (DESIGN §7)."""
