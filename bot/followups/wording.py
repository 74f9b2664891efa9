"""Every lead-facing (and agent-facing) text of follow-ups and consent, in one place.

Plain text, sent as is. The nudges vary: each step of the schedule has a few phrasings, and
which one a lead gets depends on the lead and the step, so two leads rarely read the same line
and one lead never reads the same line twice in a row.

English is the source of the catalogs (``bot.i18n``): a constant such as ``wording.OPTED_OUT``
is said in the speaking language each time it is read (the module's ``__getattr__``), and the
functions translate as they build their text. The words a text tells the lead to write
("stop", "start") are ones ``bot.followups.consent`` understands in that language.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import N_, _, ngettext

_NUDGES: tuple[tuple[str, ...], ...] = (
    (N_("Hi{name}! Still keen to have a chat?"),
     N_("Hey{name}, just checking in: a quick call could answer your questions."),
     N_("Hi{name}, no rush at all. In case it helps, I can book you a call.")),
    (N_("Hi{name}, I've looked at the calendar again for you."),
     N_("Hello again{name}! Still happy to set up a call whenever suits you."),
     N_("Hi{name}, whenever you're ready, a short call is one tap away.")),
    (N_("Hi{name}, one last nudge from me: if you'd like to talk, tap a time below."),
     N_("Hi{name}, I'll leave a few times here in case you still want a call. No pressure!"),
     N_("Last check-in{name}: a chat could help, if you'd like one.")),
)
_TEXTS: dict[str, str] = {
    "NO_MORE": N_("Reply \"stop\" and I won't message you again."),
    # Consent
    "OPTED_OUT": N_("Done: I won't send you any more messages or reminders. If you change your "
                    "mind, just write \"start\"."),
    "STILL_OPTED_OUT": N_("You asked me not to message you, so I'm keeping quiet. Write "
                          "\"start\" if you'd like to chat again."),
    "OPTED_IN": N_("Welcome back! I'm happy to help again."),
    "FORGOTTEN": N_("Done: I've deleted your name, contact details, notes and our messages. "
                    "I've let the agent know."),
    "CANCEL_MEETING_LABEL": N_("Cancel my meeting"),
}


def __getattr__(name: str) -> str:
    """``wording.OPTED_OUT`` and the other fixed texts, in the speaking language."""
    if name in _TEXTS:
        return _(_TEXTS[name])
    raise AttributeError(name)


def nudge(step: int, lead_id: int, first_name: str | None) -> str:
    """The text of nudge number ``step`` (0-based) to this lead."""
    variants = _NUDGES[min(step, len(_NUDGES) - 1)]
    named = f" {first_name}" if first_name else ""
    text = _(variants[(lead_id + step) % len(variants)], name=named)
    return text + " (" + _(_TEXTS["NO_MORE"]) + ")"


def forgotten_meeting_kept(when: str) -> str:
    """After /forget: the lead's meeting stands, a button offers to cancel it."""
    return _("Your meeting on {when} still stands: tap below if you'd like it cancelled too.",
             when=when)


def agent_qualified(lead_id: int, name: str | None,
                    answers: Sequence[tuple[str, str]]) -> str:
    """The agent's notice that a lead answered every qualifying question."""
    lines = [_("Qualified: {name} (lead #{lead}) answered every question.", name=name,
               lead=lead_id) if name else
             _("Qualified: lead #{lead} answered every question.", lead=lead_id)]
    lines += [f"- {question} {answer}" for question, answer in answers]
    return "\n".join(lines)


def agent_forgotten(lead_id: int, meetings: Sequence[str]) -> str:
    """The agent's notice that a lead had their data deleted."""
    text = _("Lead #{lead} asked to have their personal data deleted; the bot has erased their "
             "name, contact details, notes and messages. Please do the same in your own "
             "records.", lead=lead_id)
    if meetings:
        text += " " + ngettext("Their meeting still stands: {meetings}.",
                               "Their meetings still stand: {meetings}.", len(meetings),
                               meetings="; ".join(meetings))
    return text
