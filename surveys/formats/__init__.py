"""Date and time formats, the same in English and Japanese (FORMAT_MODULE_PATH)."""
