"""The API docs pages (DESIGN §6.5): served from the app alone, with a way back to it."""
