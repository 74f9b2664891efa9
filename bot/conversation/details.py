"""Lead details as people type them, checked and normalised: the email address.

Phone numbers are read in ``phones``, places and zones in ``places``.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def normalise_email(text: str) -> str | None:
    """A plausible email address, lower-cased domain; None otherwise."""
    candidate = text.strip().strip(".,;")
    if not _EMAIL.match(candidate):
        return None
    local, domain = candidate.rsplit("@", 1)
    return f"{local}@{domain.lower()}"
