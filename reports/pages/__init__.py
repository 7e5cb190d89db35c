"""The report pages: views, charts (Plotly) and their shared helpers."""
