"""The questionnaire studio (MLOps admins): versions drafted, edited, checked, previewed and
published in the browser, with each item's lineage and the feedback teams left on it."""
