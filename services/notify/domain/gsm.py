"""GSM 03.38: which texts an SMS carries in the 7-bit alphabet (160 characters a part) rather
than UCS-2 (70 a part). One character outside it turns the whole SMS into UCS-2, so templates
are written in it — the Swedish letters å ä ö Å Ä Ö are in it — and ``fit`` replaces the few
typographic characters that would otherwise sneak in from a parameter."""
from __future__ import annotations

# The basic character set (one septet each) and the extension table (two septets: ESC + char).
BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = set("^{}\\[~]|€\f")

_REPLACEMENTS = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "\u00a0": " ",
                 "\t": " ", "´": "'", "`": "'"}


def is_gsm7(text: str) -> bool:
    return all(ch in BASIC or ch in EXTENSION for ch in text)


def septets(text: str) -> int:
    return sum(2 if ch in EXTENSION else 1 for ch in text)


def segments(text: str) -> int:
    """How many SMS parts the text takes (concatenated parts lose room to their header)."""
    if is_gsm7(text):
        n = septets(text)
        return 1 if n <= 160 else -(-n // 153)
    n = len(text.encode("utf-16-le")) // 2
    return 1 if n <= 70 else -(-n // 67)


def fit(text: str) -> str:
    """Typographic look-alikes become their GSM-7 twins; anything else is left to force UCS-2
    (a name would, but names are never in an SMS)."""
    return "".join(_REPLACEMENTS.get(ch, ch) for ch in text)
