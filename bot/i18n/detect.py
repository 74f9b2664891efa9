"""Which supported language a lead's message is in, or asks for.

A message *asks* for a language when it names one with a cue ("English please", "auf
Deutsch", "en español", "по-русски") or is little more than its name. It is *in* a language
when it uses clearly more of that language's common words than of any other's (at least
two of them); Cyrillic text is Russian, the only supported language written in it. Short
answers ("ok", "sí", "ja") never switch: one word says too little.
"""

from __future__ import annotations

import re

_NAMES = {
    "en": r"english|ingl[ée]s|englisch|anglais|ingl[êe]s|английск\w*|по-английски",
    "es": r"spanish|espa[ñn]ol|castellano|spanisch|espagnol|espanhol|испанск\w*|по-испански",
    "de": r"german|deutsch|alem[áa]n|allemand|alem[ãa]o|немецк\w*|по-немецки",
    "fr": r"french|franc[ée]s|franz[öo]sisch|fran[çc]ais|franc[êe]s|французск\w*"
          r"|по-французски",
    "pt": r"portuguese|portugu[éêe]s|portugiesisch|portugais|португальск\w*|по-португальски",
    "ru": r"russian|ruso|russisch|russe|russo|русск\w*|по-русски",
}
_CUES = (r"please|pls|por\s+favor|bitte|s'il\s+(?:vous|te)\s+pla[îi]t|пожалуйста|in|en|auf|em"
         r"|на|speak|talk|write|habla[\w-]*|sprich\w*|sprechen|parle[\w-]*|fala[\w-]*|говор\w*|пиш\w*"
         r"|can\s+you|puedes|kannst|pouvez|pode|можно")
_ASKS = {
    language: re.compile(rf"(?<![\w-])(?:(?:{_CUES})\s+(?:\w+\s+)?(?:{names})|(?:{names})"
                         rf"\s+(?:{_CUES}))(?![\w-])|^\W*(?:{names})\W*$", re.IGNORECASE)
    for language, names in _NAMES.items()
}
# Common words that are each language's own (shared ones, "de" or "a", are left out).
_WORDS = {
    "en": "the and is are you what when can could would please tomorrow today morning "
          "afternoon evening meeting call next week thanks hello hi i'm my me we our will "
          "after before at this that it works book time free",
    "es": "el la los las es está estoy mañana hoy noche próximas gracias hola quiero puedo "
          "podemos cita reunión llamada después lunes martes miércoles jueves viernes sí vale "
          "mejor cuándo tengo necesito con una buenos buenas",
    "de": "der die das und ist ich sie wir morgen heute nachmittag abend vormittag woche "
          "nächste nächsten danke hallo bitte ja nein termin können kann uhr um nach vor "
          "montag dienstag mittwoch donnerstag freitag samstag sonntag wann gerne mit mir "
          "nicht ein eine gut passt",
    "fr": "le les et est je vous nous demain aujourd'hui après-midi soir matin semaine "
          "prochaine prochain merci bonjour salut oui non rendez-vous réunion appel pouvons "
          "peux lundi mardi mercredi jeudi vendredi samedi dimanche quand heure heures avec "
          "pour pas mais c'est ça suis à",
    "pt": "o os as é eu você nós amanhã hoje noite manhã obrigado obrigada olá oi sim não "
          "reunião chamada posso segunda terça quarta quinta sexta quando com às depois "
          "tenho preciso uma quero horário",
}
# Words Spanish and Portuguese share ("por favor", "tarde", "semana") say neither.
_WORD_SETS = {language: frozenset(words.split()) for language, words in _WORDS.items()}
_TOKEN = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def asked_for(text: str) -> str | None:
    """The language the message asks to be spoken to in, if any."""
    found = [language for language, pattern in _ASKS.items() if pattern.search(text)]
    return found[0] if len(found) == 1 else None


def written_in(text: str) -> str | None:
    """The language the message is clearly written in, if any."""
    if len(_CYRILLIC.findall(text)) >= 3:
        return "ru"
    tokens = {t.lower() for t in _TOKEN.findall(text)}
    if len(tokens) < 2:
        return None
    scores = sorted(((len(tokens & words), language) for language, words in _WORD_SETS.items()),
                    reverse=True)
    (best, language), (second, _) = scores[0], scores[1]
    return language if best >= 2 and best > second else None


def language_said(text: str, now_speaking: str) -> str | None:
    """A supported language other than ``now_speaking`` that the message asks for or is in."""
    found = asked_for(text) or written_in(text)
    return found if found is not None and found != now_speaking else None
