"""Spanish time words, in English (see ``languages``)."""

from __future__ import annotations

from bot.conversation.when.languages.shared import Rules, quarter_to, unit

WEEKDAYS = {"lunes": "monday", "martes": "tuesday", "mi[ée]rcoles": "wednesday",
            "jueves": "thursday", "viernes": "friday", "s[áa]bados?": "saturday",
            "domingos?": "sunday"}
MONTHS = {"enero": "january", "febrero": "february", "marzo": "march", "abril": "april",
          "mayo": "may", "junio": "june", "julio": "july", "agosto": "august",
          "sep?tiembre": "september", "octubre": "october", "noviembre": "november",
          "diciembre": "december"}
NUMBERS = {"dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6", "siete": "7",
           "ocho": "8", "nueve": "9", "diez": "10", "once": "11", "doce": "12",
           "quince": "15", "veinte": "20", "treinta": "30"}
_WD = "|".join(WEEKDAYS.values())
_MONTH = "|".join(MONTHS.values())
_H = r"(?P<h>\d{1,2})"
_UNITS = {"hor": "hour", "día": "day", "dia": "day", "sem": "week", "min": "minute"}



RULES: Rules = [
    *((rf"\b{word}\b", english) for word, english in NUMBERS.items()),
    (r"\ba\s+la\s+una\b", "at 1:00"),
    (r"\b(?:lo\s+antes\s+posible|cuanto\s+antes|lo\s+m[áa]s\s+pronto\s+posible"
     r"|en\s+cuanto\s+(?:puedas|se\s+pueda))\b", " asap "),
    (r"\bpasado\s+ma[ñn]ana\b", " the day after tomorrow "),
    (rf"{_H}(?P<m>[:.]\d\d)?\s+de\s+la\s+ma[ñn]ana\b", r"\g<h>\g<m> am"),
    (rf"{_H}(?P<m>[:.]\d\d)?\s+de\s+la\s+(?:tarde|noche)\b", r"\g<h>\g<m> pm"),
    (rf"{_H}\s+y\s+media\b", r"\g<h>:30"),
    (rf"{_H}\s+y\s+cuarto\b", r"\g<h>:15"),
    (rf"{_H}\s+menos\s+cuarto\b", quarter_to),
    (r"\b(?:por|en|a)\s+la\s+ma[ñn]ana\b", " morning "),
    (r"\besta\s+ma[ñn]ana\b", " this morning "),
    (r"\bma[ñn]anas\b", " mornings "),
    (r"\bma[ñn]ana\b", " tomorrow "),
    (r"\bm[áa]s\s+tarde\b", " later "),
    (r"\besta\s+tarde\b", " this afternoon "),
    (r"\besta\s+noche\b", " tonight "),
    (r"\b(?:por|en|a)\s+la\s+(?:tarde|tardes)\b", " afternoon "),
    (r"\b(?:por|en|a)\s+la\s+noche\b", " evening "),
    (r"\bprimera\s+hora\b", " first thing "),
    (r"\b(?:a\s+)?(?:la\s+)?hora\s+de\s+(?:la\s+)?comida\b|\bal\s+mediod[íi]a\b", " lunch "),
    (r"\bdespu[ée]s\s+de\s+(?:la\s+)?comer\b|\bdespu[ée]s\s+de\s+(?:la\s+)?comida\b",
     " after lunch "),
    (r"\btardes?\b", " afternoon "),
    (r"\bnoches?\b", " evening "),
    (r"\bmediod[íi]a\b", " noon "),
    (r"\bhoy\b", " today "),
    *((rf"\b{word}\b", english) for word, english in WEEKDAYS.items()),
    *((rf"\b{word}\b", english) for word, english in MONTHS.items()),
    (rf"\b(?P<d>\d{{1,2}})\s+de\s+(?P<mo>{'|'.join(MONTHS.values())})(?:\s+de)?",
     r"\g<d> \g<mo>"),
    (r"\b(?:el\s+)?fin(?:ales)?\s+de\s+(?:la\s+)?semana\s+que\s+viene\b"
     r"|\b(?:a\s+)?finales\s+de\s+la\s+pr[óo]xima\s+semana\b", " late next week "),
    (r"\b(?:el\s+)?pr[óo]ximo\s+fin\s+de\s+semana\b|\bel\s+fin\s+de\s+semana\s+que\s+viene\b",
     " next weekend "),
    (r"\beste\s+fin\s+de\s+semana\b", " this weekend "),
    (r"\bfin\s+de\s+semana\b|\bfinde\b", " weekend "),
    (r"\b(?:a\s+)?(?:finales|final)\s+de\s+(?:esta\s+|la\s+)?semana\b", " end of the week "),
    (r"\b(?:a\s+)?principios\s+de\s+la\s+(?:pr[óo]xima\s+semana|semana\s+que\s+viene)\b",
     " early next week "),
    (r"\b(?:a\s+)?mediados\s+de\s+la\s+(?:pr[óo]xima\s+semana|semana\s+que\s+viene)\b",
     " mid next week "),
    (rf"\b(?P<wd>{_WD})\s+de\s+la\s+(?:pr[óo]xima\s+semana|semana\s+que\s+viene)\b",
     r" \g<wd> of next week "),
    (r"\b(?:la\s+)?(?:pr[óo]xima\s+semana|semana\s+que\s+viene)\b", " next week "),
    (r"\besta\s+semana\b", " this week "),
    (r"\b(?:el\s+)?(?:pr[óo]ximo\s+mes|mes\s+que\s+viene)\b", " next month "),
    (rf"\b(?:el\s+)?pr[óo]xim[oa]\s+(?P<wd>{_WD})\b", r" this coming \g<wd> "),
    (rf"\b(?:el\s+)?(?P<wd>{_WD})\s+(?:que\s+viene|pr[óo]ximo)\b", r" this coming \g<wd> "),
    (rf"\best[ea]\s+(?P<wd>{_WD})\b", r" this \g<wd> "),
    (rf"\b(?:cualquier\s+d[íi]a\s+)?(?:menos|excepto|salvo)\s+(?:el\s+|los\s+)?(?P<wd>{_WD})\b",
     r" except \g<wd> "),
    (rf"\bno\s+(?:el\s+|los\s+)?(?P<wd>{_WD})\b", r" not \g<wd> "),
    (r"\b(?:dentro\s+de|en)\s+media\s+hora\b", " in half an hour "),
    (r"\b(?:dentro\s+de|en)\s+un(?:a)?\s+(?P<u>hora|d[íi]a|semana|minuto)\b",
     lambda m: " in an hour " if m.group("u") == "hora" else
     f" in a {unit(m.group('u'), _UNITS)} "),
    (r"\b(?:dentro\s+de|en)\s+unos\s+(?:pocos\s+)?d[íi]as\b", " in a few days "),
    (r"\b(?:dentro\s+de|en)\s+(?P<n>\d{1,3})\s+(?P<u>horas|d[íi]as|semanas|minutos)\b",
     lambda m: f" in {m.group('n')} {unit(m.group('u'), _UNITS)}s "),
    (r"\bno\s+antes\s+de\s+(?:las?\s+)?", " not before "),
    (r"\bno\s+despu[ée]s\s+de\s+(?:las?\s+)?", " not after "),
    (r"\b(?:despu[ée]s\s+de|a\s+partir\s+de)\s+(?:las?\s+)?(?=\d)", " after "),
    (r"\bantes\s+de\s+(?:las?\s+)?(?=\d)", " before "),
    (r"\bhasta\s+(?:las?\s+)?(?=\d)", " until "),
    (r"\bentre\s+(?:las?\s+)?(?P<a>\d{1,2}(?:[:.]\d\d)?)\s+y\s+(?:las?\s+)?(?P<b>\d{1,2}"
     r"(?:[:.]\d\d)?)", r" between \g<a> and \g<b> "),
    (r"\bde\s+(?:las?\s+)?(?P<a>\d{1,2}(?:[:.]\d\d)?)\s+a\s+(?:las?\s+)?(?P<b>\d{1,2}"
     r"(?:[:.]\d\d)?)\b", r" from \g<a> to \g<b> "),
    (r"\b(?:hacia|sobre|alrededor\s+de|a\s+eso\s+de)\s+(?:las?\s+)?(?=\d)", " around "),
    (r"\ba\s+las?\s+(?=\d)", " at "),
    (r"\bel\s+(?:d[íi]a\s+)?(?P<d>\d{1,2})\b(?!\s*(?:[:.]\d|am\b|pm\b|h\b|de\b|" + _MONTH
     + r"))", r" the \g<d>th "),
    (rf"\b(?:el|los)\s+(?P<wd>{_WD})\b", r" \g<wd> "),
    (r"\b(?:cuando\s+quieras|cuando\s+sea|cualquier\s+momento)\b", " whenever "),
]
