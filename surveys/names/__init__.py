"""Names, never keys (DESIGN §5): what people read for a band, an audit action, a status."""
