"""When a lead wants to meet: the ``When`` model and the parser of the lead's own words."""

from bot.conversation.when.model import PARTS, When
from bot.conversation.when.parser import HORIZON_DAYS, find_when, parse_when, parse_words

__all__ = ["HORIZON_DAYS", "PARTS", "When", "find_when", "parse_when", "parse_words"]
