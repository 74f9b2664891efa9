"""The rule-based brain: deterministic keyword rules, pure CPU, no I/O.

It answers when no OpenAI key is set and whenever OpenAI fails, so it never raises and always
returns text or a tool call. ``brain`` holds the rules in order; ``reading`` reads a message
once (details, the words that say when); ``picking`` matches a pick to the offered times;
``replies`` is what it says; ``patterns`` what it listens for.

Times are never written in text: they only come from find_slots, shown by the bot as buttons.
"""

from integrations.rule_brain.brain import RuleBrain

__all__ = ["RuleBrain"]
