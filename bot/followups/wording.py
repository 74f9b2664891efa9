"""Every lead-facing (and agent-facing) text of follow-ups and consent, in one place.

Plain text, sent as is. The nudges vary: each step of the schedule has a few phrasings, and
which one a lead gets depends on the lead and the step, so two leads rarely read the same line
and one lead never reads the same line twice in a row.
"""

from __future__ import annotations

from collections.abc import Sequence

_NUDGES: tuple[tuple[str, ...], ...] = (
    ("Hi{name}! Still keen to have a chat?",
     "Hey{name}, just checking in: a quick call could answer your questions.",
     "Hi{name}, no rush at all. In case it helps, I can book you a call."),
    ("Hi{name}, I've looked at the calendar again for you.",
     "Hello again{name}! Still happy to set up a call whenever suits you.",
     "Hi{name}, whenever you're ready, a short call is one tap away."),
    ("Hi{name}, one last nudge from me: if you'd like to talk, tap a time below.",
     "Hi{name}, I'll leave a few times here in case you still want a call. No pressure!",
     "Last check-in{name}: a chat could help, if you'd like one."),
)
NO_MORE = "Reply \"stop\" and I won't message you again."


def nudge(step: int, lead_id: int, first_name: str | None) -> str:
    """The text of nudge number ``step`` (0-based) to this lead."""
    variants = _NUDGES[min(step, len(_NUDGES) - 1)]
    text = variants[(lead_id + step) % len(variants)]
    return text.format(name=f" {first_name}" if first_name else "") + f" ({NO_MORE})"


# Consent
OPTED_OUT = ("Done: I won't send you any more messages or reminders. If you change your mind, "
             "just write \"start\".")
STILL_OPTED_OUT = ("You asked me not to message you, so I'm keeping quiet. Write \"start\" if "
                   "you'd like to chat again.")
OPTED_IN = "Welcome back! I'm happy to help again."
FORGOTTEN = ("Done: I've deleted your name, contact details, notes and our messages. I've let "
             "the agent know.")
FORGOTTEN_MEETING_KEPT = ("Your meeting on {when} still stands: tap below if you'd like "
                          "it cancelled too.")
CANCEL_MEETING_LABEL = "Cancel my meeting"


def agent_qualified(lead_id: int, name: str | None,
                    answers: Sequence[tuple[str, str]]) -> str:
    """The agent's notice that a lead answered every qualifying question."""
    lines = [f"Qualified: {name or 'a lead'} (lead #{lead_id}) answered every question."]
    lines += [f"- {question} {answer}" for question, answer in answers]
    return "\n".join(lines)


def agent_forgotten(lead_id: int, meetings: Sequence[str]) -> str:
    """The agent's notice that a lead had their data deleted."""
    text = (f"Lead #{lead_id} asked to have their personal data deleted; the bot has erased "
            "their name, contact details, notes and messages. Please do the same in your own "
            "records.")
    if meetings:
        text += " Their meeting(s) still stand: " + "; ".join(meetings) + "."
    return text
