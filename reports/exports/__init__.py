"""Files to take away: the Excel workbook and the answers CSV (DESIGN §6.2), written as text."""
