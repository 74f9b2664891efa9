"""French time words, in English (see ``languages``)."""

from __future__ import annotations

from bot.conversation.when.languages.shared import Rules, quarter_to, unit

WEEKDAYS = {"lundis?": "monday", "mardis?": "tuesday", "mercredis?": "wednesday",
            "jeudis?": "thursday", "vendredis?": "friday", "samedis?": "saturday",
            "dimanches?": "sunday"}
MONTHS = {"janvier": "january", "f[ée]vrier": "february", "mars": "march", "avril": "april",
          "mai": "may", "juin": "june", "juillet": "july", "ao[uû]t": "august",
          "septembre": "september", "octobre": "october", "novembre": "november",
          "d[ée]cembre": "december"}
NUMBERS = {"deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "six": "6", "sept": "7",
           "huit": "8", "neuf": "9", "dix": "10", "onze": "11", "douze": "12", "quinze": "15",
           "vingt": "20", "trente": "30"}
_WD = "|".join(WEEKDAYS.values())
_UNITS = {"heure": "hour", "jour": "day", "semaine": "week", "minute": "minute"}




RULES: Rules = [
    (r"\b(?:d[èe]s\s+que\s+possible|au\s+plus\s+t[ôo]t|le\s+plus\s+t[ôo]t\s+possible"
     r"|asap)\b", " asap "),
    (r"\bdans\s+une\s+demi-?\s*heure\b", " in half an hour "),
    (r"\bdans\s+une\s+heure\b", " in an hour "),
    (r"\bdans\s+une\s+semaine\b", " in a week "),
    (r"\bdans\s+un\s+jour\b", " in a day "),
    (r"\bdans\s+quelques\s+jours\b", " in a few days "),
    *((rf"\b{word}\b", english) for word, english in NUMBERS.items()),
    (r"\bdans\s+(?P<n>\d{1,3})\s+(?P<u>heures?|jours?|semaines?|minutes?)\b",
     lambda m: f" in {m.group('n')} {unit(m.group('u'), _UNITS)}s "),
    (r"\baprès-demain\b|\bapres-demain\b|\bapr[èe]s\s+demain\b", " the day after tomorrow "),
    (r"\bdemain\s+matin\b", " tomorrow morning "),
    (r"\bce\s+soir\b", " tonight "),
    (r"\bcet\s+apr[èe]s-?\s*midi\b", " this afternoon "),
    (r"\bce\s+matin\b", " this morning "),
    (r"\b(?P<h>\d{1,2})\s*h\s*(?:du\s+)?matin\b", r" \g<h> am "),
    (r"\b(?P<h>\d{1,2})\s*h\s*(?:de\s+l'apr[èe]s-?midi|du\s+soir)\b", r" \g<h> pm "),
    (r"\b(?P<h>\d{1,2})\s*(?:h|heures?)\s+et\s+demie\b", r" \g<h>:30 "),
    (r"\b(?P<h>\d{1,2})\s*(?:h|heures?)\s+et\s+quart\b", r" \g<h>:15 "),
    (r"\b(?P<h>\d{1,2})\s*(?:h|heures?)\s+moins\s+(?:le\s+)?quart\b", quarter_to),
    (r"\b(?P<h>\d{1,2})\s*h\s*(?P<m>\d\d)\b", r" \g<h>:\g<m> "),
    (r"\b(?P<h>\d{1,2})\s*(?:h|heures?)(?![\w])", r" \g<h>:00 "),
    (r"\b(?:dans\s+l'|en\s+)?apr[èe]s-?\s*midi\b", " afternoon "),
    (r"\bmidi\b", " noon "),
    (r"\b(?:à|a)\s+la\s+premi[èe]re\s+heure\b|\btout\s+de\s+suite\s+le\s+matin\b",
     " first thing "),
    (r"\b(?:dans\s+la\s+|en\s+)?matin[ée]e\b|\ble\s+matin\b|\bmatin\b", " morning "),
    (r"\b(?:dans\s+la\s+|en\s+)?soir[ée]e\b|\ble\s+soir\b|\bsoir\b", " evening "),
    (r"\bà\s+l'heure\s+du\s+d[ée]jeuner\b", " lunch "),
    (r"\bapr[èe]s\s+le\s+d[ée]jeuner\b", " after lunch "),
    (r"\bdemain\b", " tomorrow "),
    (r"\baujourd'hui\b|\baujourd hui\b", " today "),
    *((rf"\b{word}\b", english) for word, english in WEEKDAYS.items()),
    *((rf"\b{word}\b", english) for word, english in MONTHS.items()),
    (r"\ble\s+(?P<d>\d{1,2})(?:er)?\s+(?=(?:" + "|".join(MONTHS.values()) + r")\b)",
     r" \g<d> "),
    (r"\b(?:[àa]\s+la\s+)?fin\s+de\s+la\s+semaine\s+prochaine\b", " late next week "),
    (r"\b(?:en\s+)?d[ée]but\s+de\s+(?:la\s+)?semaine\s+prochaine\b", " early next week "),
    (r"\b(?:en\s+|au\s+)?milieu\s+de\s+(?:la\s+)?semaine\s+prochaine\b", " mid next week "),
    (r"\b(?:[àa]\s+la\s+)?fin\s+de\s+(?:la|cette)\s+semaine\b", " end of the week "),
    (r"\b(?:le\s+)?week-?end\s+prochain\b", " next weekend "),
    (r"\bce\s+week-?end\b", " this weekend "),
    (r"\b(?:le\s+)?week-?end\b", " weekend "),
    (rf"\b(?P<wd>{_WD})\s+de\s+la\s+semaine\s+prochaine\b", r" \g<wd> of next week "),
    (r"\b(?:la\s+)?semaine\s+prochaine\b", " next week "),
    (r"\bcette\s+semaine\b", " this week "),
    (r"\b(?:le\s+)?mois\s+prochain\b", " next month "),
    (rf"\b(?P<wd>{_WD})\s+prochain\b", r" this coming \g<wd> "),
    (rf"\bce\s+(?P<wd>{_WD})\b", r" this \g<wd> "),
    (rf"\b(?:sauf|except[ée])\s+(?:le\s+)?(?P<wd>{_WD})\b", r" except \g<wd> "),
    (rf"\bpas\s+(?:le\s+)?(?P<wd>{_WD})\b", r" not \g<wd> "),
    (r"\bpas\s+avant\s+(?=\d)", " not before "),
    (r"\bpas\s+apr[èe]s\s+(?=\d)", " not after "),
    (r"\b(?:apr[èe]s|à\s+partir\s+de|a\s+partir\s+de)\s+(?=\d)", " after "),
    (r"\b(?:avant|jusqu'à|jusqu'a)\s+(?=\d)", " before "),
    (r"\bentre\s+(?P<a>\d{1,2}(?::\d\d)?)\s+et\s+(?P<b>\d{1,2}(?::\d\d)?)",
     r" between \g<a> and \g<b> "),
    (r"\bde\s+(?P<a>\d{1,2}(?::\d\d)?)\s+à\s+(?P<b>\d{1,2}(?::\d\d)?)", r" from \g<a> to \g<b> "),
    (r"\b(?:vers|aux\s+alentours\s+de|environ\s+à)\s+(?=\d)", " around "),
    (r"(?:^|\s)[àa]\s+(?=\d)", " at "),
    (r"\ble\s+(?P<d>\d{1,2})(?:er)?\b(?!\s*(?::|\d|am\b|pm\b|" + "|".join(MONTHS.values())
     + r"))", r" the \g<d>th "),
    (r"\b(?:n'importe\s+quand|quand\s+vous\s+voulez|quand\s+tu\s+veux)\b", " whenever "),
]
