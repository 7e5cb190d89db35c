"""What the reports compute from stored scores (DESIGN §5): for pages, exports, the API."""
