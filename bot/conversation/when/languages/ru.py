"""Russian time words, in English (see ``languages``). Words change their endings with their
case ("в пятницу", "до пятницы"), so most patterns match a stem."""

from __future__ import annotations

from bot.conversation.when.languages.shared import Rules, unit

WEEKDAYS = {"понедельник[аеу]?": "monday", "вторник[аеу]?": "tuesday",
            "сред[аыеу]": "wednesday", "четверг[аеу]?": "thursday",
            "пятниц[аыеу]": "friday", "суббот[аыеу]": "saturday",
            "воскресень[еяю]": "sunday"}
MONTHS = {"январ[яье]": "january", "феврал[яье]": "february", "март[ае]?": "march",
          "апрел[яье]": "april", "ма[яйе]": "may", "июн[яье]": "june", "июл[яье]": "july",
          "август[ае]?": "august", "сентябр[яье]": "september", "октябр[яье]": "october",
          "ноябр[яье]": "november", "декабр[яье]": "december"}
NUMBERS = {"одну": "1", "два": "2", "две": "2", "три": "3", "четыре": "4", "пять": "5",
           "шесть": "6", "семь": "7", "восемь": "8", "девять": "9", "десять": "10",
           "пятнадцать": "15", "двадцать": "20", "тридцать": "30"}
_WD = "|".join(WEEKDAYS.values())
_B = r"(?<![\w-])"  # a word starts (Cyrillic included)
_E = r"(?![\w-])"  # a word ends
_UNITS = {"час": "hour", "дн": "day", "ден": "day", "день": "day", "недел": "week",
          "минут": "minute"}



RULES: Rules = [
    (rf"{_B}(?:как\s+можно\s+(?:скорее|раньше|быстрее)|поскорее|в\s+ближайшее\s+время){_E}",
     " asap "),
    (rf"{_B}через\s+полчаса{_E}", " in half an hour "),
    (rf"{_B}через\s+час{_E}", " in an hour "),
    (rf"{_B}через\s+неделю{_E}", " in a week "),
    (rf"{_B}через\s+день{_E}", " in a day "),
    (rf"{_B}через\s+несколько\s+дней{_E}", " in a few days "),
    *((rf"{_B}{word}{_E}", english) for word, english in NUMBERS.items()),
    (rf"{_B}через\s+(?P<n>\d{{1,3}})\s+(?P<u>час\w*|дн\w*|недел\w*|минут\w*){_E}",
     lambda m: f" in {m.group('n')} {unit(m.group('u'), _UNITS)}s "),
    (rf"{_B}послезавтра{_E}", " the day after tomorrow "),
    (rf"{_B}сегодня\s+вечером{_E}", " tonight "),
    (rf"{_B}сегодня\s+утром{_E}", " this morning "),
    (rf"{_B}сегодня\s+(?:днём|днем){_E}", " this afternoon "),
    (rf"(?P<h>\d{{1,2}})(?P<m>:\d\d)?\s*(?:час\w*\s+)?утра{_E}", r" \g<h>\g<m> am "),
    (rf"(?P<h>\d{{1,2}})(?P<m>:\d\d)?\s*(?:час\w*\s+)?(?:дня|вечера){_E}", r" \g<h>\g<m> pm "),
    (rf"(?P<h>\d{{1,2}})\s*час(?:а|ов)?{_E}", r" \g<h>:00 "),
    (rf"{_B}(?:в\s+)?полдень{_E}", " noon "),
    (rf"{_B}в\s+обед{_E}|{_B}в\s+обеденное\s+время{_E}", " lunch "),
    (rf"{_B}после\s+обеда{_E}", " after lunch "),
    (rf"{_B}до\s+обеда{_E}", " before lunch "),
    (rf"{_B}с\s+самого\s+утра{_E}|{_B}первым\s+делом{_E}", " first thing "),
    (rf"{_B}утром{_E}|{_B}с\s+утра{_E}", " morning "),
    (rf"{_B}(?:днём|днем){_E}", " afternoon "),
    (rf"{_B}вечером{_E}", " evening "),
    (rf"{_B}завтра{_E}", " tomorrow "),
    (rf"{_B}сегодня{_E}", " today "),
    (rf"{_B}(?:на\s+)?следующ\w+\s+недел\w+{_E}|{_B}на\s+той\s+неделе{_E}", " next week "),
    *((rf"{_B}{word}{_E}", english) for word, english in WEEKDAYS.items()),
    *((rf"{_B}{word}{_E}", english) for word, english in MONTHS.items()),
    (rf"{_B}в\s+конце\s+next\s+week{_E}", " late next week "),
    (rf"{_B}в\s+начале\s+next\s+week{_E}", " early next week "),
    (rf"{_B}в\s+середине\s+next\s+week{_E}", " mid next week "),
    (rf"{_B}(?:в\s+)?конц[ае]\s+(?:этой\s+)?недели{_E}", " end of the week "),
    (rf"{_B}(?:на\s+)?следующ\w+\s+выходн\w+{_E}", " next weekend "),
    (rf"{_B}(?:в\s+)?(?:эти|этих)\s+выходн\w+{_E}", " this weekend "),
    (rf"{_B}(?:на|в)\s+выходн\w+{_E}|{_B}выходные{_E}", " weekend "),
    (rf"{_B}(?:на\s+)?этой\s+неделе{_E}", " this week "),
    (rf"{_B}(?:в\s+)?следующ\w+\s+месяц\w*{_E}", " next month "),
    (rf"{_B}(?:в\s+|во\s+)?следующ\w+\s+(?P<wd>{_WD}){_E}", r" next \g<wd> "),
    (rf"{_B}(?:в\s+|во\s+)?(?:эт\w+|ближайш\w+)\s+(?P<wd>{_WD}){_E}", r" this coming \g<wd> "),
    (rf"{_B}(?:кроме|за\s+исключением)\s+(?P<wd>{_WD}){_E}", r" except \g<wd> "),
    (rf"{_B}не\s+(?:в|во)\s+(?P<wd>{_WD}){_E}", r" not \g<wd> "),
    (rf"{_B}не\s+раньше\s+(?=\d)", " not before "),
    (rf"{_B}не\s+позже\s+(?=\d)", " not after "),
    (rf"{_B}между\s+(?P<a>\d{{1,2}}(?::\d\d)?)\s+и\s+(?P<b>\d{{1,2}}(?::\d\d)?)",
     r" between \g<a> and \g<b> "),
    (rf"{_B}с\s+(?P<a>\d{{1,2}}(?::\d\d)?)\s+до\s+(?P<b>\d{{1,2}}(?::\d\d)?)",
     r" from \g<a> to \g<b> "),
    (rf"{_B}(?:после|позже|начиная\s+с)\s+(?=\d)", " after "),
    (rf"{_B}(?:до|раньше)\s+(?=\d)", " before "),
    (rf"{_B}(?:около|примерно\s+в|где-то\s+в)\s+(?=\d)", " around "),
    (rf"{_B}(?:в|во)\s+(?=\d)", " at "),
    (rf"{_B}(?:в|во)\s+(?=(?:{_WD}){_E})", " on "),
    (rf"(?P<d>\d{{1,2}})-?(?:го|е)?\s+(?=(?:{'|'.join(MONTHS.values())}){_E})", r" \g<d> "),
    (rf"(?P<d>\d{{1,2}})-?(?:го|е){_E}", r" the \g<d>th "),
    (rf"{_B}(?:когда\s+угодно|в\s+любое\s+время|когда\s+удобно){_E}", " whenever "),
]
