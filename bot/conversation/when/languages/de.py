"""German time words, in English (see ``languages``)."""

from __future__ import annotations

from bot.conversation.when.languages.shared import Rules, half_to, quarter_to, unit

WEEKDAYS = {"montags?": "monday", "dienstags?": "tuesday", "mittwochs?": "wednesday",
            "donnerstags?": "thursday", "freitags?": "friday", "samstags?": "saturday",
            "sonnabends?": "saturday", "sonntags?": "sunday"}
MONTHS = {"januar": "january", "jänner": "january", "februar": "february", "märz": "march",
          "maerz": "march", "april": "april", "mai": "may", "juni": "june", "juli": "july",
          "august": "august", "september": "september", "oktober": "october",
          "november": "november", "dezember": "december"}
NUMBERS = {"eins": "1", "zwei": "2", "drei": "3", "vier": "4", "fünf": "5", "sechs": "6",
           "sieben": "7", "acht": "8", "neun": "9", "zehn": "10", "elf": "11", "zwölf": "12",
           "fünfzehn": "15", "zwanzig": "20", "dreißig": "30"}
_WD = "|".join(sorted(set(WEEKDAYS.values())))
_UNITS = {"stund": "hour", "tag": "day", "woch": "week", "minut": "minute"}





RULES: Rules = [
    (r"\b(?:so\s+bald\s+wie\s+möglich|so\s+früh\s+wie\s+möglich|baldmöglichst"
     r"|schnellstmöglich|möglichst\s+bald)\b", " asap "),
    (r"\bin\s+einer\s+halben\s+stunde\b", " in half an hour "),
    (r"\bin\s+einer\s+stunde\b", " in an hour "),
    (r"\bin\s+einer\s+woche\b", " in a week "),
    (r"\bin\s+ein\s+paar\s+tagen\b", " in a few days "),
    *((rf"\b{word}\b", english) for word, english in NUMBERS.items()),
    (r"\bin\s+(?P<n>\d{1,3})\s+(?P<u>stunden|tagen|wochen|minuten)\b",
     lambda m: f" in {m.group('n')} {unit(m.group('u'), _UNITS)}s "),
    (r"\bin\s+einem\s+tag\b", " in a day "),
    (r"\bübermorgen\b", " the day after tomorrow "),
    (r"\bmorgen\s+früh\b", " tomorrow morning "),
    (r"\bheute\s+abend\b", " tonight "),
    (r"\bheute\s+nachmittag\b", " this afternoon "),
    (r"\bheute\s+(?:vormittag|morgen)\b", " this morning "),
    (r"\bgleich\s+(?:morgens\s+)?früh\b|\bin\s+aller\s+frühe\b", " first thing "),
    (r"\bvormittags?\b|\bmorgens\b|\bfrüh\b", " morning "),
    (r"\bnachmittags?\b", " afternoon "),
    (r"\babends?\b", " evening "),
    (r"\bmittags?\b|\bmittagszeit\b", " lunch "),
    (r"\bnach\s+dem\s+mittagessen\b", " after lunch "),
    (r"\bmorgen\b", " tomorrow "),
    (r"\bheute\b", " today "),
    (r"\bhalb\s+(?P<h>\d{1,2})\b", half_to),
    (r"\bviertel\s+nach\s+(?P<h>\d{1,2})\b", r" \g<h>:15 "),
    (r"\bviertel\s+vor\s+(?P<h>\d{1,2})\b", quarter_to),
    (r"\b(?P<h>\d{1,2})[.:](?P<m>\d\d)\s*uhr\b", r" \g<h>:\g<m> "),
    (r"\b(?P<h>\d{1,2})\s*uhr(?:\s+(?P<m>\d\d)\b)?",
     lambda m: f" {m.group('h')}:{m.group('m') or '00'} "),
    *((rf"\b{word}\b", english) for word, english in WEEKDAYS.items()),
    *((rf"\b{word}\b", english) for word, english in MONTHS.items()),
    (rf"\b(?P<d>\d{{1,2}})\.\s*(?P<mo>{'|'.join(sorted(set(MONTHS.values())))})\b",
     r" \g<d> \g<mo> "),
    (r"\b(?:am\s+)?ende\s+(?:der\s+)?nächste[nr]?\s+woche\b", " late next week "),
    (r"\b(?:am\s+)?anfang\s+(?:der\s+)?nächste[nr]?\s+woche\b", " early next week "),
    (r"\b(?:in\s+der\s+)?mitte\s+(?:der\s+)?nächste[nr]?\s+woche\b", " mid next week "),
    (r"\b(?:am\s+)?ende\s+(?:der|dieser)\s+woche\b|\bzum\s+wochenende\s+hin\b",
     " end of the week "),
    (r"\b(?:am\s+)?nächste[ns]?\s+wochenende\b", " next weekend "),
    (r"\b(?:an\s+)?diesem\s+wochenende\b|\bdieses\s+wochenende\b", " this weekend "),
    (r"\b(?:am\s+)?wochenende\b", " weekend "),
    (rf"\b(?:am\s+)?(?P<wd>{_WD})\s+nächste[nr]?\s+woche\b", r" \g<wd> of next week "),
    (r"\b(?:in\s+der\s+)?nächsten\s+woche\b|\bnächste\s+woche\b|\bkommende\s+woche\b",
     " next week "),
    (r"\b(?:in\s+)?dieser\s+woche\b|\bdiese\s+woche\b", " this week "),
    (r"\b(?:im\s+)?nächsten\s+monat\b|\bnächster\s+monat\b", " next month "),
    (rf"\b(?:am\s+)?nächsten\s+(?P<wd>{_WD})\b|\bnächste[rn]?\s+(?P<wd2>{_WD})\b",
     lambda m: f" next {m.group('wd') or m.group('wd2')} "),
    (rf"\b(?:am\s+)?kommenden\s+(?P<wd>{_WD})\b|\bdiesen\s+(?P<wd2>{_WD})\b",
     lambda m: f" this coming {m.group('wd') or m.group('wd2')} "),
    (rf"\b(?:außer|ausser|nur\s+nicht)\s+(?:am\s+)?(?P<wd>{_WD})\b", r" except \g<wd> "),
    (rf"\bnicht\s+(?:am\s+)?(?P<wd>{_WD})\b", r" not \g<wd> "),
    (r"\bzwischen\s+(?P<a>\d{1,2}(?::\d\d)?)\s+und\s+(?P<b>\d{1,2}(?::\d\d)?)",
     r" between \g<a> and \g<b> "),
    (r"\bvon\s+(?P<a>\d{1,2}(?::\d\d)?)\s+bis\s+(?P<b>\d{1,2}(?::\d\d)?)",
     r" from \g<a> to \g<b> "),
    (r"\bnicht\s+vor\s+(?=\d)", " not before "),
    (r"\bnicht\s+nach\s+(?=\d)", " not after "),
    (r"\b(?:nach|ab)\s+(?=\d)", " after "),
    (r"\b(?:vor|bis)\s+(?=\d)", " before "),
    (r"\b(?:gegen|um\s+ca\.?|ungefähr\s+um|etwa\s+um|circa|ca\.)\s+(?=\d)", " around "),
    (r"\bum\s+(?=\d)", " at "),
    (r"\bam\s+(?P<d>\d{1,2})\.(?!\s*\d)", r" the \g<d>th "),
    (r"\b(?:am|an\s+einem)\s+(?=(?:" + _WD + r")\b)", " on "),
    (r"\b(?:wann\s+immer|egal\s+wann|jederzeit)\b", " whenever "),
]
