"""Portuguese time words, in English (see ``languages``)."""

from __future__ import annotations

from bot.conversation.when.languages.shared import Rules, quarter_to, unit

# "a segunda opção" is the second option, not Monday.
WEEKDAYS = {r"segunda(?:-feira)?(?!\s+(?:op[çc][ãa]o|hor[áa]rio|vez))": "monday",
            "ter[çc]a(?:-feira)?": "tuesday",
            "quarta(?:-feira)?": "wednesday", "quinta(?:-feira)?": "thursday",
            "sexta(?:-feira)?": "friday", "s[áa]bado": "saturday", "domingo": "sunday"}
MONTHS = {"janeiro": "january", "fevereiro": "february", "mar[çc]o": "march", "abril": "april",
          "maio": "may", "junho": "june", "julho": "july", "agosto": "august",
          "setembro": "september", "outubro": "october", "novembro": "november",
          "dezembro": "december"}
NUMBERS = {"duas": "2", "dois": "2", "tr[êe]s": "3", "quatro": "4", "cinco": "5", "seis": "6",
           "sete": "7", "oito": "8", "nove": "9", "dez": "10", "onze": "11", "doze": "12",
           "quinze": "15", "vinte": "20", "trinta": "30"}
_WD = "|".join(WEEKDAYS.values())
_UNITS = {"hora": "hour", "dia": "day", "semana": "week", "minuto": "minute"}




RULES: Rules = [
    (r"\b(?:o\s+quanto\s+antes|assim\s+que\s+poss[íi]vel|o\s+mais\s+r[áa]pido\s+poss[íi]vel"
     r"|o\s+mais\s+cedo\s+poss[íi]vel)\b", " asap "),
    (r"\b(?:daqui\s+a|em)\s+meia\s+hora\b", " in half an hour "),
    (r"\b(?:daqui\s+a|em)\s+uma\s+hora\b", " in an hour "),
    (r"\b(?:daqui\s+a|em)\s+uma\s+semana\b", " in a week "),
    (r"\b(?:daqui\s+a|em)\s+um\s+dia\b", " in a day "),
    (r"\b(?:daqui\s+a|em)\s+(?:alguns|uns)\s+dias\b", " in a few days "),
    (r"\b(?:à|a)\s+uma\b", " at 1:00 "),
    *((rf"\b{word}\b", english) for word, english in NUMBERS.items()),
    (r"\b(?:daqui\s+a|em)\s+(?P<n>\d{1,3})\s+(?P<u>horas|dias|semanas|minutos)\b",
     lambda m: f" in {m.group('n')} {unit(m.group('u'), _UNITS)}s "),
    (r"\bdepois\s+de\s+amanh[ãa]\b", " the day after tomorrow "),
    (r"\b(?P<h>\d{1,2})(?P<m>[:h]\d\d)?\s*h?\s+da\s+manh[ãa]\b", r" \g<h>\g<m> am "),
    (r"\b(?P<h>\d{1,2})(?P<m>[:h]\d\d)?\s*h?\s+da\s+(?:tarde|noite)\b", r" \g<h>\g<m> pm "),
    (r"\b(?P<h>\d{1,2})\s*(?:h|horas)?\s+e\s+meia\b", r" \g<h>:30 "),
    (r"\b(?P<h>\d{1,2})\s*(?:h|horas)?\s+e\s+quinze\b", r" \g<h>:15 "),
    (r"\b(?:quinze|15)\s+para\s+as\s+(?P<h>\d{1,2})\b", quarter_to),
    (r"\b(?P<h>\d{1,2})h(?P<m>\d\d)\b", r" \g<h>:\g<m> "),
    (r"\b(?P<h>\d{1,2})\s*(?:h|horas)(?![\w])", r" \g<h>:00 "),
    (r"\b(?:de|pela|na)\s+manh[ãa]\b", " morning "),
    (r"\besta\s+manh[ãa]\b|\bhoje\s+de\s+manh[ãa]\b", " this morning "),
    (r"\besta\s+tarde\b|\bhoje\s+(?:à|a)\s+tarde\b", " this afternoon "),
    (r"\besta\s+noite\b|\bhoje\s+(?:à|a)\s+noite\b", " tonight "),
    (r"\b(?:à|a|pela|de|na)\s+tarde\b", " afternoon "),
    (r"\b(?:à|a|pela|de|na)\s+noite\b", " evening "),
    (r"\bhora\s+do\s+almo[çc]o\b|\bno\s+almo[çc]o\b", " lunch "),
    (r"\bdepois\s+do\s+almo[çc]o\b", " after lunch "),
    (r"\bmeio-dia\b|\bmeio\s+dia\b", " noon "),
    (r"\b(?:logo|bem)\s+cedo\b|\bà\s+primeira\s+hora\b", " first thing "),
    (r"\bamanh[ãa]\b", " tomorrow "),
    (r"\bmanh[ãa]\b", " morning "),
    (r"\btarde\b", " afternoon "),
    (r"\bnoite\b", " evening "),
    (r"\bhoje\b", " today "),
    *((rf"\b{word}\b", english) for word, english in WEEKDAYS.items()),
    *((rf"\b{word}\b", english) for word, english in MONTHS.items()),
    (rf"\b(?P<d>\d{{1,2}})\s+de\s+(?P<mo>{'|'.join(MONTHS.values())})(?:\s+de)?",
     r" \g<d> \g<mo> "),
    (r"\b(?:no\s+)?(?:final|fim)\s+da\s+pr[óo]xima\s+semana\b", " late next week "),
    (r"\b(?:no\s+)?in[íi]cio\s+da\s+pr[óo]xima\s+semana\b", " early next week "),
    (r"\b(?:no\s+)?meio\s+da\s+pr[óo]xima\s+semana\b", " mid next week "),
    (r"\b(?:no\s+)?pr[óo]ximo\s+fim\s+de\s+semana\b", " next weekend "),
    (r"\b(?:neste|este|nesse|esse)\s+fim\s+de\s+semana\b", " this weekend "),
    (r"\b(?:no\s+)?fim\s+de\s+semana\b", " weekend "),
    (r"\b(?:no\s+)?(?:final|fim)\s+da\s+semana\b", " end of the week "),
    (rf"\b(?P<wd>{_WD})\s+da\s+(?:pr[óo]xima\s+semana|semana\s+que\s+vem)\b",
     r" \g<wd> of next week "),
    (r"\b(?:na\s+)?(?:pr[óo]xima\s+semana|semana\s+que\s+vem)\b", " next week "),
    (r"\b(?:nesta|esta)\s+semana\b", " this week "),
    (r"\b(?:no\s+)?(?:pr[óo]ximo\s+m[êe]s|m[êe]s\s+que\s+vem)\b", " next month "),
    (rf"\b(?:na\s+|no\s+)?pr[óo]xim[ao]\s+(?P<wd>{_WD})\b", r" this coming \g<wd> "),
    (rf"\b(?:nest[ae]|est[ae])\s+(?P<wd>{_WD})\b", r" this \g<wd> "),
    (rf"\b(?:exceto|menos|salvo)\s+(?:na\s+|no\s+)?(?P<wd>{_WD})\b", r" except \g<wd> "),
    (rf"\bn[ãa]o\s+(?:na\s+|no\s+)?(?P<wd>{_WD})\b", r" not \g<wd> "),
    (r"\bn[ãa]o\s+antes\s+d[ae]s?\s+(?=\d)", " not before "),
    (r"\bn[ãa]o\s+depois\s+d[ae]s?\s+(?=\d)", " not after "),
    (r"\b(?:depois\s+d[ae]s?|a\s+partir\s+d[ae]s?|ap[óo]s\s+as)\s+(?=\d)", " after "),
    (r"\b(?:antes\s+d[ae]s?|at[ée]\s+[àa]s?)\s+(?=\d)", " before "),
    (r"\bentre\s+(?:as\s+)?(?P<a>\d{1,2}(?::\d\d)?)\s+e\s+(?:as\s+)?(?P<b>\d{1,2}(?::\d\d)?)",
     r" between \g<a> and \g<b> "),
    (r"\bd[ae]s\s+(?P<a>\d{1,2}(?::\d\d)?)\s+[àa]s\s+(?P<b>\d{1,2}(?::\d\d)?)",
     r" from \g<a> to \g<b> "),
    (r"\b(?:por\s+volta\s+d[ae]s|l[áa]\s+pel[ao]s|perto\s+d[ae]s|cerca\s+d[ae]s)\s+(?=\d)",
     " around "),
    (r"(?:^|\s)(?:[àa]s?|[àa]\s+las)\s+(?=\d)", " at "),
    (r"\b(?:no\s+)?dia\s+(?P<d>\d{1,2})\b(?!\s*(?::|\d|am\b|pm\b|de\b|"
     + "|".join(MONTHS.values()) + r"))", r" the \g<d>th "),
    (rf"\b(?:na|no|nas|nos)\s+(?P<wd>{_WD})\b", r" \g<wd> "),
    (r"\b(?:quando\s+quiser|qualquer\s+hora|a\s+qualquer\s+momento)\b", " whenever "),
]
