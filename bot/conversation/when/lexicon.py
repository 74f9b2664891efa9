"""The words the parser knows: typos and short forms mapped to one spelling, and the patterns,
compiled once."""

from __future__ import annotations

import re

TYPOS = {
    "2moro": "tomorrow", "2morrow": "tomorrow", "2mrw": "tomorrow", "tmrw": "tomorrow",
    "tmr": "tomorrow", "tmw": "tomorrow", "tomorow": "tomorrow", "tommorow": "tomorrow",
    "tommorrow": "tomorrow", "tomoro": "tomorrow", "tomorro": "tomorrow", "tomrrow": "tomorrow",
    "2day": "today", "tdy": "today", "tonite": "tonight", "2nite": "tonight",
    "frday": "friday", "firday": "friday", "fridy": "friday", "wensday": "wednesday",
    "wendsday": "wednesday", "wednsday": "wednesday", "wedensday": "wednesday",
    "wednesdy": "wednesday", "weds": "wednesday", "thurs": "thursday", "thur": "thursday",
    "thrusday": "thursday", "thursdy": "thursday", "tues": "tuesday", "teusday": "tuesday",
    "tuseday": "tuesday", "monady": "monday", "mondy": "monday", "saterday": "saturday",
    "sundy": "sunday", "nxt": "next", "wk": "week", "wks": "weeks", "mins": "minutes",
    "min": "minutes", "hrs": "hours", "hr": "hours", "eod": "end of day",
    "cob": "end of day", "b4": "before", "arvo": "afternoon", "lunchtime": "lunch",
    "midday": "noon", "mid-afternoon": "mid afternoon", "thx": "thanks",
}
_TYPO = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, TYPOS), key=len,
                                                     reverse=True)) + r")(?![\w-])")

MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
WEEKDAYS = (
    r"mon(?:day)?|tue(?:sday)?|wed(?:nesday)?|thu(?:rsday)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?"
)
COUNT = (r"\d{1,3}|a\s+couple\s+of|couple\s+of|a\s+few|few|an?|one|two|three|four|five|six"
         r"|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|forty[- ]five|half\s+an?")
WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30,
    "forty-five": 45, "forty five": 45, "a couple of": 2, "couple of": 2, "a few": 3, "few": 3,
}
_SUFFIX = r"(?:st|nd|rd|th)"
_HOUR = r"(?:[01]?\d|2[0-3])"
CLOCK = rf"{_HOUR}(?:[:.][0-5]\d)?(?:\s*[ap]\.?m\b\.?)?"

DAY = re.compile(
    rf"""\b(?:
      (?P<iso>\d{{4}}-\d{{2}}-\d{{2}})\b
    | a\s+week\s+from\s+(?P<wk_from>today|now|tomorrow|{WEEKDAYS})\b
    | (?P<dm_d>\d{{1,2}}){_SUFFIX}?(?:\s+of)?\s+(?P<dm_m>{MONTHS})\b\.?(?:,?\s+(?P<dm_y>20\d\d)\b)?
    | (?P<md_m>{MONTHS})\b\.?\s+(?:the\s+)?(?P<md_d>\d{{1,2}}){_SUFFIX}?\b(?!\s*(?::|[ap]\.?m\b))
        (?:,?\s+(?P<md_y>20\d\d)\b)?
    | (?:on\s+)?the\s+(?P<ord>\d{{1,2}}){_SUFFIX}\b(?!\s+(?:one|option|slot|choice|time|of)\b)
    | (?P<after>(?:the\s+)?day\s+after\s+tomorrow)\b
    | (?P<today>(?:later\s+)?today)\b
    | (?P<tomorrow>tomorrow)\b
    | in\s+(?P<in_n>{COUNT})\s+(?P<in_unit>days?|weeks?|minutes?|hours?)\b
    | in\s+(?P<in_one>a|an)\s+(?P<in_one_unit>day|week|hour|minute)\b
    | (?:by\s+)?(?:the\s+)?(?P<eow>end\s+of\s+(?:the\s+)?(?P<eow_next>next\s+)?week)\b
    | (?P<phase>early|late|mid|later)[\s-]+(?P<phase_of>next|this)\s+week\b
    | (?P<week_mod>next|this|coming)\s+week\b
    | (?P<month_mod>next)\s+month\b
    | (?:(?P<we_mod>next|this|coming)\s+)?weekends?\b
    | (?:(?P<wd_mod>this\s+coming|next|this|coming|on)\s+)?(?P<wd>{WEEKDAYS})s?\b
        (?:\s+(?:of\s+)?(?P<wd_next>next)\s+week\b)?
    )""",
    re.VERBOSE,
)
PART = re.compile(
    r"""\b(?:(?P<this>this)\s+)?(?P<part>
      first\s+thing|early\s+morning|late\s+morning|mornings?
    | (?:after|before|over|at)\s+lunch|lunch
    | early\s+afternoon|mid\s+afternoon|late\s+afternoon|afternoons?
    | early\s+evening|evenings?|tonight|night|end\s+of\s+(?:the\s+)?day|close\s+of\s+business
    )\b""",
    re.VERBOSE,
)
# "thurs am", "fri pm": am/pm as a part of day only right after a day.
DAY_PART = re.compile(rf"\b(?:{WEEKDAYS}|today|tomorrow)\s+(?P<ap>am|pm)\b")
PART_RANGES = {
    "first thing": (480, 600), "early morning": (480, 600), "late morning": (600, 720),
    "morning": (480, 720), "after lunch": (780, 1020), "before lunch": (480, 720),
    "lunch": (720, 840), "early afternoon": (720, 900), "mid afternoon": (840, 960),
    "late afternoon": (900, 1080), "afternoon": (720, 1020), "early evening": (1020, 1140),
    "evening": (1020, 1260), "end of day": (900, 1080), "am": (480, 720), "pm": (720, 1020),
}
PART_FAMILY = {"first thing": "morning", "early morning": "morning", "late morning": "morning",
               "before lunch": "morning", "am": "morning", "pm": "afternoon",
               "lunch": "afternoon", "after lunch": "afternoon", "early afternoon": "afternoon",
               "mid afternoon": "afternoon", "late afternoon": "afternoon",
               "end of day": "afternoon", "early evening": "evening"}

_HOUR_WORD = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_REL = (r"not\s+before|not\s+after|no\s+later\s+than|not\s+later\s+than|later\s+than"
        r"|earlier\s+than|after|from|since|before|by|until|till|til|around|about|roughly"
        r"|approx(?:imately|\.)?|at|@")
TIME = re.compile(
    rf"""(?:(?P<rel>{_REL})\s*)?(?:
      (?:between|from)?\s*(?<![\d:/.])(?P<r1>{CLOCK})\s*(?:-|–|to|and|till|until)\s*
        (?P<r2>{CLOCK})(?![\d:/])
    | (?P<half>half)\s+(?:past\s+)?(?P<half_h>1[0-2]|[1-9]|{_HOUR_WORD})\b
    | (?P<quarter>quarter)\s+(?P<q_dir>past|after|to)\s+(?P<q_h>1[0-2]|[1-9]|{_HOUR_WORD})\b
    | (?<![\d:/.])(?P<ish_h>{CLOCK})\s*-?ish\b
    | (?P<noon>noon)\b
    | (?<![\d:/.])\b(?P<h>{_HOUR})(?:(?P<sep>[:.])(?P<m>[0-5]\d))?
        (?:\s*(?P<ap>[ap])\.?m\b\.?|\s*(?P<oclock>o'?clock)\b)?(?![\d:/])
    )""",
    re.VERBOSE,
)
BETWEEN_CUE = re.compile(r"\b(?:between|from)\s*$")
# "at 2 options" or "at 3 people" are not times.
NOT_A_TIME_NEXT = re.compile(
    r"\s*(?:options?|slots?|times?|of|people|persons?|minutes?|mins?|hours?|hrs?|days?|weeks?"
    r"|months?|years?|percent|%|kids?|children|bed|bedrooms?|dogs?|cats?|k\b|million|thousand"
    r"|units?|homes?|houses?|properties|rooms?|sq|m2|euros?|dollars?|usd|eur)\b"
)
NEGATION = re.compile(r"\b(?:not|except|excluding|apart\s+from|any\s+day\s+but|but\s+not)"
                      r"\s+(?:on\s+)?$")
ASAP = re.compile(r"\b(?:asap|as\s+soon\s+as\s+possible|earliest|soonest|first\s+available"
                  r"|next\s+available)\b")
ZONE = re.compile(
    r"\b(?:(?P<offset>(?:utc|gmt)\s?[+\-−]\s?\d{1,2}(?::?\d{2})?)"
    r"|(?P<abbr>utc|gmt|pst|pdt|pt|est|edt|et|cst|cdt|ct|mst|mdt|cet|cest|eet|eest|wet|bst"
    r"|ist|jst|kst|aest|aedt|awst|sgt|hkt|msk|nzst|nzdt)"
    r"|(?:in\s+)?(?P<place>[a-z][a-z.]{2,}(?:\s+[a-z.]{3,}){0,2})\s+time)\b"
)
NOT_ZONE_PLACES = frozenset({"my", "any", "what", "same", "the", "that", "this", "lunch",
                             "free", "a", "your", "our", "local", "good", "best", "some", "next",
                             "first", "other", "another", "right", "that's", "short",
                             "on", "in", "much", "no", "less", "more", "spare"})


def normalise(text: str) -> str:
    """Lower case, straight quotes, single spaces, typos and short forms spelled out."""
    low = " ".join(text.lower().replace("\u2019", "'").replace("\u2018", "'").split())
    return _TYPO.sub(lambda m: TYPOS[m.group(1)], low)


def count(word: str) -> float:
    """A number said in digits or words ("two", "a few", "half an")."""
    word = " ".join(word.split())
    if word.isdigit():
        return int(word)
    if word.startswith("half"):
        return 0.5
    return WORD_NUMBERS[word]
