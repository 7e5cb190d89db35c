"""DRF plumbing shared by every API: one error shape, fields, pagination, parsers."""
