"""The app's own "page not found" page, also with DEBUG on (``make run``, the demo)."""
