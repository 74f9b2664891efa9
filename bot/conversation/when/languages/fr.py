"""fr time words, in English (see ``languages``)."""

from __future__ import annotations

import re
from collections.abc import Callable

RULES: list[tuple[str, str | Callable[[re.Match[str]], str]]] = []
