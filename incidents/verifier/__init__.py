"""verify.py, the checker shipped in every evidence package. It is copied into the package as
it stands and runs on the recipient's computer: Python 3 standard library only."""
