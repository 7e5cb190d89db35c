"""The scoring rules (DESIGN §3). ``scoring.rules`` is pure Python with no Django import."""
