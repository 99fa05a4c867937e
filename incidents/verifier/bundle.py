"""What an evidence package carries so that it can be checked without the server: verify.py
itself, the custody log of its case (custody.json, see incidents.custody_proof) and the trusted
timestamps of the chain up to its head, with the authority's certificates."""

from collections.abc import Callable
from pathlib import Path

from ..custody import Head
from ..custody_proof import FILE_NAME, proof_json
from ..models import Case, ChainTimestamp

VERIFIER = Path(__file__).with_name("verify.py")


def add_verification(add: Callable[[str, bytes], None], case: Case, head: Head) -> None:
    """Add verify.py, custody.json and timestamps/ through `add(name, content)`."""
    add("verify.py", VERIFIER.read_bytes())
    add(FILE_NAME, proof_json(case, head))
    tokens = ChainTimestamp.objects.filter(sequence__lte=head.sequence).order_by("sequence", "id")
    authorities: list[str] = []
    kept: set[int] = set()
    for token in tokens:
        if token.sequence in kept:
            continue  # one token per head is enough
        kept.add(token.sequence)
        add(f"timestamps/{token.sequence}.tsr", bytes(token.token))
        if token.authority_pem.strip() not in authorities:
            authorities.append(token.authority_pem.strip())
    if authorities:
        add("timestamps/tsa-ca.pem", ("\n".join(authorities) + "\n").encode("ascii"))
