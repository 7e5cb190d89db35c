"""Pages that combine several concepts: the home page, the product page, the audit."""
