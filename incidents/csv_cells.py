"""Cells for the package's spreadsheets (incidents.csv, transcript.csv)."""

# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell a spreadsheet shows as text: a leading apostrophe disarms formulas."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
