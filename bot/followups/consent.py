"""What a lead says to opt out of (or back into) messages, and the deep link's source.

Only a whole message counts ("stop", "please stop", "don't message me", "baja", "стоп"), so
"stop by at 3?" or "can we start at 10?" are ordinary messages. The words are read in the six
languages of ``bot.i18n`` whatever the lead's language (a German lead may write "stop"), and
Latin accents are optional ("désabonner", "desabonner"). The words the texts of
``bot.followups.wording`` tell a lead to write are among them.
"""

from __future__ import annotations

import re
import unicodedata

_PLEASE = (r"please|por favor|bitte|s'il (?:vous|te) plait|svp|пожалуйста")
_THANKS = (r"thanks|thank you|gracias|danke|merci|obrigad[oa]|спасибо")
_OUT_WORDS = (
    # English
    r"stop|unsubscribe|opt out|opt-out|stop all|"
    r"(?:do not|dont|don't) (?:message|text|contact|write to|write|bother) me(?: again| anymore)?|"
    r"stop (?:messaging|texting|contacting|writing to|writing|bothering) me|"
    r"no more messages|leave me alone|"
    # Spanish
    r"para|parar|basta|baja|(?:darme|darse|dar) de baja|cancelar (?:la )?suscripcion|"
    r"desuscribir(?:me)?|no quiero (?:recibir )?mas mensajes|no mas mensajes|"
    r"no me (?:escribas|escriba|mandes|mande|envies|envie|contactes|contacte|molestes|moleste)"
    r"(?: mas)?(?: mensajes)?|"
    r"deja de (?:escribirme|molestarme|(?:enviarme|mandarme) mensajes)|d[eé]jame en paz|"
    # German
    r"stopp|abmelden|abbestellen|abmeldung|keine (?:weiteren )?nachrichten(?: mehr)?|"
    r"(?:schreib|schreibe|schreiben sie) mir nicht mehr|nicht mehr (?:schreiben|kontaktieren)|"
    r"(?:hor auf|hore auf|horen sie auf)(?: mir zu schreiben)?|"
    r"(?:lass|lassen sie) mich in ruhe|"
    # French
    r"arrete|arretez|arreter|(?:me )?desabonner|desabonnez-moi|desabonnement|"
    r"(?:me )?desinscrire|desinscrivez-moi|desinscription|plus de messages|"
    r"ne m'(?:ecris|ecrivez|envoie|envoyez) plus(?: de messages)?|ne me contacte(?:z)? plus|"
    r"arrete(?:z)? de m'(?:ecrire|envoyer des messages)|laisse(?:z)?[- ]moi tranquille|"
    # Portuguese
    r"pare|sair|descadastrar|(?:me )?descadastre|descadastre-me|cancelar (?:a )?inscricao|"
    r"nao (?:me )?(?:mande|envie|escreva|contate|manda|envia|escreve)(?: mais)?"
    r"(?: mensagens)?(?: mais)?|"
    r"pare de (?:me )?(?:mandar mensagens|enviar mensagens|escrever)|chega de mensagens|"
    r"me (?:deixe|deixa) em paz|"
    # Russian
    r"стоп|хватит|отписаться|отписка|отпиши(?:те)? меня|не пиши(?:те)?(?: мне)?(?: больше)?|"
    r"больше не пиши(?:те)?(?: мне)?|перестань(?:те)?(?: мне)? писать|"
    r"остав(?:ь|ьте) меня в покое|не беспокой(?:те)?(?: меня)?|больше никаких сообщений")
_IN_WORDS = (
    # English
    r"start|/start|start again|restart|resume|subscribe|opt in|unstop|"
    r"you can message me again|"
    # Spanish
    r"empezar|empieza|comenzar|reanudar|volver|suscribir(?:me)?|alta|darme de alta|"
    r"(?:puedes|puede) escribirme (?:de nuevo|otra vez)|"
    # German
    r"starten|anmelden|wieder anmelden|weiter|fortsetzen|(?:du kannst|sie konnen) mir wieder "
    r"schreiben|"
    # French
    r"reprendre|commencer|recommencer|demarrer|(?:me )?reabonner|m'abonner|"
    r"(?:tu peux|vous pouvez) m'ecrire a nouveau|"
    # Portuguese
    r"comecar|iniciar|recomecar|voltar|retomar|(?:me )?inscrever|"
    r"(?:pode|podem) me escrever de novo|"
    # Russian
    r"старт|начать|продолжить|подписаться|снова|возобновить|(?:можете|можно) (?:мне )?писать")


def _fold(text: str) -> str:
    """Latin letters without their accents ("é" -> "e"); other scripts as they are."""
    out = []
    for char in text:
        base = unicodedata.normalize("NFD", char)[0]
        out.append(base if base.isascii() else char)
    return "".join(out)


def _whole(words: str) -> re.Pattern[str]:
    return re.compile(_fold(rf"(?:(?:{_PLEASE}) )?(?:{words})(?: (?:{_PLEASE}))?"
                            rf"(?: (?:{_THANKS}))?"))


_OUT = _whole(_OUT_WORDS)
_IN = _whole(_IN_WORDS)
_SOURCE = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""Telegram's deep-link payload: up to 64 of these characters."""


def _words(text: str) -> str:
    flat = _fold(text.lower().replace("\u2019", "'"))
    flat = re.sub(r"[!¡.,;:?¿\"()«»„“”]+", " ", flat)
    return " ".join(flat.split())


def opts_out(text: str) -> bool:
    """Whether the whole message asks the bot to stop messaging."""
    return _OUT.fullmatch(_words(text)) is not None


def opts_in(text: str) -> bool:
    """Whether the whole message asks the bot to start again."""
    return _IN.fullmatch(_words(text)) is not None


def source(payload: str | None) -> str | None:
    """The source of a ``/start <payload>`` deep link, or None when absent or not valid."""
    if payload is None:
        return None
    return payload if _SOURCE.fullmatch(payload) else None
