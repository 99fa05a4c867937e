"""The most each kind of text field holds, in characters (docs/limits.md explains the choice).

A TextField's max_length is enforced by its form, not the database: the form refuses a longer
text with a message and keeps every character of it on the page for the user to shorten.
"""

# What happened, exact words, what was reported: several printed pages of one record.
LONG_TEXT = 20_000
# Notes, advice, terms, a description of a person: about a page.
NOTE = 5_000
# Lists of lines: witnesses, names, numbers, accounts, vehicles, addresses.
LIST = 2_000
