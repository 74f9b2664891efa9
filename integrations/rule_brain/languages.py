"""What leads write in the other languages, said again in the English the rules listen for.

The time words come first (``bot.conversation.when.languages``: "mañana a las 3" -> "tomorrow
at 3"), then the brain's own words: yes and no, cancel, reschedule, booking, thanks, bye,
help, picks ("la segunda" -> "the second"), opting out. The English is only ever matched
against the patterns; what the lead wrote (a name, a topic) is saved as written.
"""

from __future__ import annotations

import re
from functools import cache

from bot.conversation.when.languages import to_english as time_in_english

_Rules = list[tuple[str, str]]
_ES: _Rules = [
    (r"\bno\s+(?:quiero\s+|hace\s+falta\s+|necesito\s+)?(?:lo\s+|la\s+)?cancel\w*", "don't cancel"),
    (r"\b(?:cancel(?:ar|a|e|o|ad|en)?(?:la|lo)?|cancélal[ao]|anular(?:la|lo)?|anula)\b",
     "cancel"),
    (r"\bno\s+(?:puedo|podré|voy\s+a\s+poder)\s+(?:ir|asistir|llegar)\b", "can't make it"),
    (r"\b(?:reprogramar(?:la|lo)?|reagendar(?:la|lo)?|aplazar(?:la|lo)?|posponer(?:la|lo)?)\b",
     "reschedule"),
    (r"\b(?:cambiar|mover|cambia|mueve|pasar)(?:la|lo)?\b", "move it"),
    (r"\botr[oa]\s+(?:d[íi]a|hora|momento|fecha)\b", "another time"),
    (r"\bninguna?\b(?:\s+de\s+(?:estas|esos|esas|estos))?", "none of these"),
    (r"\b(?:no\s+me\s+(?:va|viene|sirve)|no\s+puedo)\b", "doesn't work"),
    (r"\bd[áa]rme\s+de\s+baja\b|\bdarse\s+de\s+baja\b|\bbaja\b", "unsubscribe"),
    (r"\bcu[áa]ndo\s+es\s+mi\b", "when is my"),
    (r"\b(?:la\s+)?(?:cita|reuni[óo]n|llamada|videollamada)\b", "meeting"),
    (r"\b(?:reservar|agendar|apartar|quedar|reunirnos|vernos|hablar|charlar)\b", "book"),
    (r"\b(?:disponible|disponibilidad|huecos?|horarios?|libre)\b", "available"),
    (r"\b(?:s[íi]|claro|correcto|confirmo|adelante|de\s+acuerdo)\b", "yes"),
    (r"\b(?:vale|ok|okey|perfecto|genial|bien|estupendo)\b", "ok"),
    (r"\bno\s+gracias\b", "no thanks"),
    (r"\b(?:muchas\s+)?gracias\b", "thanks"),
    (r"\b(?:adi[óo]s|hasta\s+luego|hasta\s+pronto|chao|nos\s+vemos)\b", "bye"),
    (r"\b(?:ayuda|qui[ée]n\s+eres|qu[ée]\s+eres|qu[ée]\s+puedes\s+hacer)\b", "help"),
    (r"\b(?:el|la)\s+(?=primer|segund|tercer|cuart|[úu]ltim)", "the "),
    (r"\bprimer[oa]?\b", "first one"), (r"\bsegund[oa]\b", "second one"),
    (r"\btercer[oa]?\b", "third one"), (r"\bcuart[oa]\b", "fourth one"),
    (r"\b[úu]ltim[oa]\b", "last one"), (r"\bopci[óo]n\b", "option"),
    (r"\bn[úu]mero\b", "number"),
]
_DE: _Rules = [
    (r"\bnicht\s+(?:\w+\s+)?(?:stornieren|absagen)\b", "don't cancel"),
    (r"\b(?:stornier\w*|absagen|sagen?\s+(?:\w+\s+)?ab|abbrechen|streichen)\b", "cancel"),
    (r"\b(?:kann|schaffe)\s+(?:es\s+)?(?:\w+\s+)?nicht\b", "can't make it"),
    (r"\b(?:verschieben|verschiebe|verlegen|umbuchen|umplanen)\b", "reschedule"),
    (r"\b(?:ander(?:e[nmrs]?)?)\s+(?:tag|zeit|termin|uhrzeit|datum)\b", "another time"),
    (r"\bkeiner?\s+(?:davon|der\s+termine)\b|\bkeine\s+passt\b", "none of these"),
    (r"\b(?:passt|geht)\s+(?:mir\s+)?nicht\b", "doesn't work"),
    (r"\b(?:abmelden|abbestellen)\b", "unsubscribe"),
    (r"\bwann\s+ist\s+mein\b", "when is my"),
    (r"\b(?:den\s+|der\s+|einen\s+)?(?:termin|besprechung|gespräch|anruf|telefonat)e?\b",
     "meeting"),
    (r"\b(?:buchen|vereinbaren|ausmachen|treffen|sprechen|reden|telefonieren)\b", "book"),
    (r"\b(?:frei|verfügbar|zeiten|termine)\b", "available"),
    (r"\b(?:ja|genau|richtig|bestätige|gerne)\b", "yes"),
    (r"\bnein\b", "no"),
    (r"\b(?:okay|ok|gut|perfekt|super|prima|alles\s+klar|passt)\b", "ok"),
    (r"\bnein\s+danke\b", "no thanks"),
    (r"\b(?:vielen\s+)?dank(?:e)?\b", "thanks"),
    (r"\b(?:tschüss|tschüs|auf\s+wiedersehen|bis\s+bald|ciao)\b", "bye"),
    (r"\b(?:hilfe|wer\s+bist\s+du|was\s+kannst\s+du)\b", "help"),
    (r"\b(?:der|die|den|das)\s+(?=erst|zweit|dritt|viert|letzt)", "the "),
    (r"\berste[nrs]?\b", "first one"), (r"\bzweite[nrs]?\b", "second one"),
    (r"\bdritte[nrs]?\b", "third one"), (r"\bvierte[nrs]?\b", "fourth one"),
    (r"\bletzte[nrs]?\b", "last one"), (r"\bnummer\b", "number"),
]
_FR: _Rules = [
    (r"\bn[e']\s*(?:\w+\s+)?pas\s+annuler\b|\bpas\s+annuler\b", "don't cancel"),
    (r"\b(?:annul\w*)\b", "cancel"),
    (r"\bje\s+ne\s+(?:peux|pourrai)\s+pas\s+venir\b", "can't make it"),
    (r"\b(?:reporter|d[ée]placer|d[ée]caler|reprogrammer|changer)\b", "reschedule"),
    (r"\b(?:un\s+)?autre\s+(?:jour|heure|moment|date|cr[ée]neau)\b", "another time"),
    (r"\baucun(?:e)?\b(?:\s+de\s+ces\s+\w+)?", "none of these"),
    (r"\b(?:ça|cela)\s+ne\s+(?:me\s+)?(?:va|convient)\s+pas\b", "doesn't work"),
    (r"\b(?:se\s+)?d[ée]sabonner\b|\bd[ée]sinscri\w*", "unsubscribe"),
    (r"\bquand\s+est\s+mon\b", "when is my"),
    (r"\b(?:le\s+|mon\s+|un\s+)?(?:rendez-vous|rdv|r[ée]union|appel|entretien)\b", "meeting"),
    (r"\b(?:r[ée]server|prendre|planifier|parler|discuter)\b", "book"),
    (r"\b(?:libre|disponible|disponibilit[ée]s?|cr[ée]neaux|horaires)\b", "available"),
    (r"\b(?:oui|ouais|exactement|je\s+confirme|volontiers)\b", "yes"),
    (r"\bnon\s+merci\b", "no thanks"),
    (r"\bnon\b", "no"),
    (r"\b(?:d'accord|ok|parfait|super|tr[èe]s\s+bien|ça\s+marche)\b", "ok"),
    (r"\bmerci(?:\s+beaucoup)?\b", "thanks"),
    (r"\b(?:au\s+revoir|à\s+bient[ôo]t|bonne\s+journ[ée]e|salut)\b", "bye"),
    (r"\b(?:aide|qui\s+es-tu|qui\s+êtes-vous|que\s+peux-tu\s+faire)\b", "help"),
    (r"\b(?:le|la)\s+(?=premi|deuxi|second|troisi|quatri|derni)", "the "),
    (r"\bpremi[èe]re?\b", "first one"), (r"\b(?:deuxi[èe]me|second(?:e)?)\b", "second one"),
    (r"\btroisi[èe]me\b", "third one"), (r"\bquatri[èe]me\b", "fourth one"),
    (r"\bderni[èe]re?\b", "last one"), (r"\bnum[ée]ro\b", "number"),
]
_PT: _Rules = [
    (r"\bn[ãa]o\s+(?:quero\s+|precisa\s+)?cancel\w*", "don't cancel"),
    (r"\b(?:cancel\w*|desmarc\w*)\b", "cancel"),
    (r"\bn[ãa]o\s+(?:vou\s+)?(?:poder|consigo)\s+(?:ir|comparecer)\b", "can't make it"),
    (r"\b(?:remarcar|reagendar|adiar|mudar|trocar)\b", "reschedule"),
    (r"\bout(?:ro|ra)\s+(?:dia|hor[áa]rio|hora|data|momento)\b", "another time"),
    (r"\bnenhu(?:m|ma)\b(?:\s+dess[ae]s)?", "none of these"),
    (r"\bn[ãa]o\s+(?:me\s+)?(?:serve|d[áa])\b", "doesn't work"),
    (r"\bdescadastr\w*|\bcancelar\s+inscri[çc][ãa]o\b", "unsubscribe"),
    (r"\bquando\s+[ée]\s+(?:a\s+)?minha\b", "when is my"),
    (r"\b(?:a\s+|uma\s+)?(?:reuni[ãa]o|chamada|liga[çc][ãa]o|consulta)\b", "meeting"),
    (r"\b(?:marcar|agendar|reservar|conversar|falar)\b", "book"),
    (r"\b(?:livre|dispon[íi]vel|disponibilidade|hor[áa]rios)\b", "available"),
    (r"\b(?:sim|claro|certo|confirmo|pode\s+ser)\b", "yes"),
    (r"\bn[ãa]o\s+obrigad[oa]\b", "no thanks"),
    (r"\bn[ãa]o\b", "no"),
    (r"\b(?:ok|beleza|perfeito|[óo]timo|tudo\s+bem|combinado|legal)\b", "ok"),
    (r"\b(?:muito\s+)?obrigad[oa]\b|\bvaleu\b", "thanks"),
    (r"\b(?:tchau|até\s+logo|até\s+mais|adeus)\b", "bye"),
    (r"\b(?:ajuda|quem\s+[ée]\s+voc[êe]|o\s+que\s+voc[êe]\s+faz)\b", "help"),
    (r"\b(?:o|a)\s+(?=primeir|segund|terceir|quart|[úu]ltim)", "the "),
    (r"\bprimeir[oa]\b", "first one"), (r"\bsegund[oa]\b", "second one"),
    (r"\bterceir[oa]\b", "third one"), (r"\bquart[oa]\b", "fourth one"),
    (r"\b[úu]ltim[oa]\b", "last one"), (r"\bop[çc][ãa]o\b", "option"),
    (r"\bn[úu]mero\b", "number"),
]
_W = r"(?<![\w-])"
_RU: _Rules = [
    (rf"{_W}не\s+(?:надо\s+|нужно\s+)?отмен\w*", "don't cancel"),
    (rf"{_W}(?:отмен\w*)", "cancel"),
    (rf"{_W}не\s+(?:смогу|получится)\s+(?:прийти)?", "can't make it "),
    (rf"{_W}(?:перенес\w*|перенос\w*|передвин\w*)", "reschedule"),
    (rf"{_W}(?:друг\w+)\s+(?:день|время|дату)", "another time"),
    (rf"{_W}ни\s+один\w*|{_W}никак\w+", "none of these"),
    (rf"{_W}(?:не\s+подходит|не\s+устраивает)", "doesn't work"),
    (rf"{_W}отпис\w*", "unsubscribe"),
    (rf"{_W}когда\s+(?:у\s+меня\s+)?(?:моя\s+)?", "when is my "),
    (rf"{_W}(?:встреч\w*|звон\w*|созвон\w*|консультаци\w*)", "meeting"),
    (rf"{_W}(?:записать\w*|забронир\w*|назнач\w*|поговорить|обсудить)", "book"),
    (rf"{_W}(?:свободн\w*|доступн\w*|окошк\w*|слот\w*)", "available"),
    (rf"{_W}(?:да|конечно|подтверждаю|давайте|верно)(?![\w-])", "yes"),
    (rf"{_W}нет\s+спасибо", "no thanks"),
    (rf"{_W}(?:нет)(?![\w-])", "no"),
    (rf"{_W}(?:ок|окей|хорошо|отлично|супер|ладно|понятно)(?![\w-])", "ok"),
    (rf"{_W}(?:спасибо|благодарю)(?![\w-])", "thanks"),
    (rf"{_W}(?:пока|до\s+свидания|всего\s+доброго)(?![\w-])", "bye"),
    (rf"{_W}(?:помощь|помоги\w*|кто\s+ты|что\s+ты\s+умеешь)", "help"),
    (rf"{_W}перв\w+", "the first one"), (rf"{_W}втор\w+", "the second one"),
    (rf"{_W}трет\w+", "the third one"), (rf"{_W}четв[её]рт\w+", "the fourth one"),
    (rf"{_W}последн\w+", "the last one"), (rf"{_W}вариант\w*", "option"),
    (rf"{_W}номер\w*", "number"),
]
_RULES = {"es": _ES, "de": _DE, "fr": _FR, "pt": _PT, "ru": _RU}
GREETINGS = (r"hola|buen[oa]s(?:\s+(?:d[íi]as|tardes|noches))?|guten\s+(?:tag|morgen|abend)"
             r"|servus|moin|bonsoir|coucou|ol[áa]|oi|bom\s+dia|boa\s+(?:tarde|noite)|привет"
             r"|здравствуйте|добрый\s+(?:день|вечер)|доброе\s+утро")
"""Greetings of the other languages, stripped like "hi" before the rest is read."""


@cache
def _compiled(language: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p, re.IGNORECASE), english) for p, english in _RULES[language])


def in_english(text: str, language: str) -> str:
    """The message as the English rules read it; English (or an unknown language) unchanged."""
    if language not in _RULES:
        return text
    text = time_in_english(text.lower(), language)
    for pattern, english in _compiled(language):
        text = pattern.sub(english, text)
    return " ".join(text.split())
