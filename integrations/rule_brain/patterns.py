"""What the rule-based brain listens for: the patterns and word lists, compiled once.

English, as leads type it; case-insensitive unless a pattern says otherwise.
"""

from __future__ import annotations

import re

from integrations.rule_brain.languages import GREETINGS

_I = re.IGNORECASE
SUSPICIOUS = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,30}\b(?:instructions?|rules|prompts?|above)\b"
    r"|system prompt|developer mode|jailbreak|\byou are now\b|\bact as\b|\bpretend\b"
    r"|drop\s+table|select\s+\*|union\s+select|insert\s+into|delete\s+from|;\s*--"
    r"|\bor\s+'?1'?\s*=\s*'?1|<script"
    r"|\b(?:other|another)\s+(?:leads?|clients?|customers?|users?|people|person)'?s?\b"
    r"|\b(?:all|every)\s+(?:the\s+)?(?:leads?|users?|clients?|customers?|bookings?"
    r"|appointments?|meetings|phone numbers|emails|contacts)\b"
    r"|\bsomeone else'?s?\b|\bwho else\b|\beveryone'?s\b|\beverybody'?s\b",
    _I,
)
URL = re.compile(r"^(?:https?://|www\.)", _I)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
                   r"\.[A-Za-z]{2,24}")
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-]{5,24}\d(?!\w)")
DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[.\-]\d{1,2}[.\-]\d{2,4}")
PHONE_CUE = re.compile(
    r"(?:(?:my|our)\s+(?:phone|mobile|cell|whatsapp|number|contact)(?:\s+number)?"
    r"(?:\s+is)?|(?:call|reach|text|ring)\s+me\s+(?:at|on)|phone(?:\s+number)?|tel"
    r"|mobile|cell|whatsapp|number)\s*(?:is)?\s*[:\-]?\s*$",
    _I,
)
WORD = r"[^\W\d_][\w'.\-]*"
NAME_CUE = re.compile(rf"\b(?:my\s+name\s+is|my\s+name's|name\s*:|call\s+me)\s+"
                      rf"({WORD}(?:\s+{WORD}){{0,3}})", _I)
# "_I'm Anna" is a name only when capitalised: "_I'm free", "_I'm interested" are not.
NAME_SAID = re.compile(r"\b(?:[Ii]'?m|[Ii]\s+am|[Tt]his\s+is|[Ii]t'?s)\s+"
                       r"([A-Z][\w'\-]*(?:\s+[A-Z][\w'\-]*){0,2})(?![\w'])")
_NOT_NAME_WORDS = (
    "interested looking free available good fine ok okay sorry here back ready busy new not "
    "just also still very so really glad happy curious calling writing trying going planning "
    "thinking sure done late early in at on from the a an great perfect thanks it that this "
    "what how"
)
NOT_NAME = frozenset(_NOT_NAME_WORDS.split())
ZONE_OFFSET = r"(?:utc|gmt)\s?[+\-−]\s?\d{1,2}(?::?\d{2})?"
PLACE = rf"(?:{ZONE_OFFSET}|{WORD}(?:/{WORD})*)(?:\s+{WORD}(?:/{WORD})*){{0,3}}"
ZONE_STRONG = re.compile(
    rf"\b(?:my\s+time\s?zone\s+is|time\s?zone\s*(?:is|:)|i\s+live\s+in|we\s+live\s+in"
    rf"|(?:i'm|i\s+am|we're|we\s+are)\s+(?:based|located)\s+in)\s+(?:the\s+)?({PLACE})",
    _I,
)
ZONE_WEAK = re.compile(
    rf"\b(?:i'm|i\s+am|we're|we\s+are)\s+(?:currently\s+|now\s+)?in\s+(?:the\s+)?({PLACE})", _I
)
# Case matters: "CET" is a zone, "town" is not.
ZONE_LIKE = re.compile(rf"^(?:(?i:{ZONE_OFFSET})|[A-Za-z_]+/[A-Za-z_/\-]+|[A-Z]{{2,5}})$")
# Words that end a name or a place ("_I'm in Berlin and free tomorrow" -> "Berlin").
_STOP_WORDS = (
    "and but so until till for from at on by in i my me we our right now tomorrow today tonight "
    "next this that time which where if because with currently please thanks thank you tho "
    "though or to is am are was be back later soon again asap when then here there anytime "
    "morning afternoon evening night noon monday tuesday wednesday thursday friday saturday "
    "sunday week weekend a an"
)
STOP = frozenset(_STOP_WORDS.split())
_NOT_PLACE_WORDS = (
    "meeting office class bed hurry rush love town trouble charge touch need favor favour "
    "school work traffic transit hospital line queue doubt luck bath shower car call session "
    "lecture middle process pain debt business sales marketing tech it finance talks contact "
    "discussions"
)
NOT_PLACE = frozenset(_NOT_PLACE_WORDS.split())
_MEETING_WORD = r"(?:meeting|call|appointment|booking|demo|session|slot|consultation|viewing)s?"
_DAY_WORD = r"(?:today|tomorrow|tonight|(?:mon|tues|wednes|thurs|fri|satur|sun)day)"
# A request to cancel *our* meeting: the verb with no object, a pronoun, or a meeting (or a day)
# as its object. "Cancel our current CRM contract" is a topic and "my other call got cancelled"
# news: neither cancels anything.
CANCEL = re.compile(
    rf"\bcancel(?:l?ing)?\b(?:"
    rf"\s*(?:$|[.!?,;:)]|(?:please|pls|now|for\s+me|then|and|but|because|as|since|so|if)\b)"
    rf"|\s+(?:it|this|that|them|everything|all|(?:for\s+|on\s+)?{_DAY_WORD})\b"
    rf"|\s+(?:(?:my|our|the|this|that|your|a|an|next|{_DAY_WORD}'?s)\s+)?(?:\w+\s+){{0,2}}?"
    rf"{_MEETING_WORD}\b)"
    rf"|\b(?:want|like|need|have|get)\s+(?:it|this|that|(?:my|our|the)\s+(?:\w+\s+)?"
    rf"{_MEETING_WORD})\s+cancel+ed\b"
    rf"|\bcancellation\b|\bcall\s+(?:it|this|that|the\s+\w+)?\s*off\b",
    _I,
)
CANT_MAKE = re.compile(r"\b(?:can'?t|cannot|won'?t|unable\s+to|not\s+able\s+to)\s+make\s+it"
                       r"|\bnot\s+going\s+to\s+make\s+it", _I)
NEGATED_CANCEL = re.compile(r"\b(?:don'?t|do\s+not|no\s+need\s+to|not|never|shouldn'?t"
                            r"|won'?t)\s+(?:\w+\s+){0,2}cancel", _I)
RESCHEDULE = re.compile(
    r"\bre-?schedul\w*|\bpostpon\w*|\brebook\w*|\bmove\s+(?:my|the|our|it|this|that)\b"
    r"|\b(?:another|different|other|new)\s+(?:time|day|date|slot)s?\b"
    r"|\bchange\s+(?:the|my|our|its)\s+(?:time|date|day|meeting|call|appointment|slot)\b"
    r"|\bpush\s+(?:it|this|that|the\s+\w+)\s+(?:back|forward|later)\b"
    r"|\bbring\s+(?:it|this|that|the\s+\w+)\s+forward\b"
    # "can we make it thursday?", "switch to thursday", "how about friday instead?"; never
    # "I can't make it"
    r"|\b(?:can|could|shall|should)\s+we\s+make\s+it\b|\blet'?s\s+make\s+it\b"
    r"|^\s*make\s+it\b|\bswitch\s+(?:it\s+|this\s+|that\s+)?to\b"
    r"|\bchange\s+(?:it|this|that)\s+to\b|\binstead\b",
    _I,
)
REJECT = re.compile(r"\bnone\s+of\s+(?:these|those|them|the\s+times)\b|\bneither\b"
                    r"|\b(?:doesn'?t|don'?t|do\s+not|does\s+not)\s+(?:work|suit|fit)\b", _I)
BOOKING = re.compile(
    r"\b(?:book\w*|meet|meeting|meetings|call|calls|appointment|appointments|schedule|demo"
    r"|available|availability|free|slots?|times|openings?|consultation|asap|earliest|soonest"
    r"|chat|talk|speak|set\s+up|any\s?time|whenever)\b"
    r"|\bwhen\s+can\b|\bas\s+soon\s+as\s+possible\b", _I)
# A question about the meeting already booked: answered with it, never with fresh times.
WHEN_IS_MINE = re.compile(
    rf"\b(?:when|what\s+time|what\s+day|which\s+day|what'?s)\s+(?:is\s+|was\s+)?"
    rf"(?:my|our|the)\s+(?:\w+\s+)?{_MEETING_WORD}\b"
    rf"|\bdo\s+(?:i|we)\s+(?:still\s+)?have\s+(?:a|an|any)\s+{_MEETING_WORD}\b"
    rf"|\b(?:is|are)\s+(?:(?:my|our|the)\s+(?:\w+\s+)?{_MEETING_WORD}|we)\s+still\s+"
    rf"(?:on|booked|happening|confirmed|scheduled|going\s+ahead)\b"
    rf"|\bam\s+i\s+(?:still\s+)?booked\b|\bwhen\s+(?:are|do)\s+we\s+(?:meet|talk|speak)\b",
    _I)
GREETING = re.compile(
    rf"^\s*(?:hi+|hello+|hey+|hiya|howdy|yo|greetings|hallo|bonjour|salut|{GREETINGS}|/start\b\S*"
    r"|good\s+(?:morning|afternoon|evening|day))(?:\s+there)?\b[\s,!.:;-]*", _I)
THANKS = re.compile(r"\b(?:thanks?|thank\s+you|thx|ty|cheers|appreciated?|much\s+appreciated)\b",
                    _I)
BYE = re.compile(r"\b(?:bye|goodbye|see\s+(?:you|ya)|cya|good\s+night"
                 r"|have\s+a\s+(?:good|nice|great)\s+\w+)\b", _I)
ACK = re.compile(
    r"^(?:ok(?:ay)?|k|great|perfect|cool|nice|awesome|good|fine|got\s+it|sounds\s+good|alright"
    r"|all\s+right|sure|yes|yep|yeah|👍|👌|🙏)(?:\s+(?:thanks?|thank\s+you))?$", _I)
DECLINE = re.compile(
    r"^(?:no|nope|nah|skip|nothing|none|n/?a|not\s+now|maybe\s+later|later|not\s+really"
    r"|no\s+thanks?|no\s+thank\s+you|rather\s+not|i'?d\s+rather\s+not)$", _I)
HELP = re.compile(
    r"^/help\b|\bhelp\b|\bwho\s+are\s+you\b|\bwhat\s+are\s+you\b|\bwhat\s+can\s+you\s+do\b"
    r"|\bwhat\s+do\s+you\s+do\b|\bhow\s+does\s+(?:this|it)\s+work\b|\bwhat\s+is\s+this\b"
    r"|\bwhat's\s+this\b|\b(?:are\s+you|is\s+(?:this|it))\s+(?:a\s+)?(?:bot|human|robot|real|ai"
    r"|person)\b", _I)
YES = re.compile(r"\b(?:yes|yeah|yep|yup|sure|confirm\w*|ok(?:ay)?|please\s+do|do\s+it|go\s+ahead"
                 r"|absolutely|definitely|correct|right)\b|^y$|👍", _I)
NO = re.compile(r"\b(?:no|nope|nah|keep|don'?t|do\s+not|not|never|stop|wait)\b|^n$", _I)
# Whether a day was said at all: the date parser fills in today or tomorrow for a bare time.
DAY_SAID = re.compile(
    r"\b(?:today|tonight|tomorrow|tomorow|tommorow|tommorrow|tmrw|tmr|weekend|week"
    r"|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*\.?\s*\d|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug"
    r"|sep|oct|nov|dec)|\d{4}-\d{2}-\d{2}|in\s+\w+\s+(?:days?|weeks?))\b", _I)
PICK_WORD = re.compile(r"\b(?:one|option|slot|choice|number)\b|#\s*\d", _I)
MARKUP = re.compile(r"[*_`<>\[\]#~|\\]")
WORDS_ONLY = re.compile(rf"^{WORD}(?:\s+{WORD}){{0,4}}$")
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\x00]")
SAY_PREFIX = re.compile(
    r"^(?:(?:it's|it\s+is|i'm|i\s+am|we're|we\s+are|this\s+is|my\s+name\s+is|name\s*:"
    r"|call\s+me|my\s+time\s?zone\s+is|time\s?zone\s*(?:is|:)?|based\s+in|located\s+in"
    r"|living\s+in|in|the)\s+)+",
    _I,
)
MAX_INPUT = 4096  # a Telegram message is at most this long
