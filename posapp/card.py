"""Payment cards: the PAN value object, brands, expiry and magnetic-stripe input.

Pure domain code: it imports nothing from posapp, Qt or boto3.

A :class:`Pan` never shows its digits by accident. ``str``, ``repr``, formatting,
logging and exception text give the masked form (``VISA •••• 4242``) and pickling is
refused; :meth:`Pan.reveal` is the one explicit way to the digits, for the vault alone.

>>> pan = Pan.parse("4242 4242 4242 4242")
>>> pan.brand, pan.last4
(<Brand.VISA: 'VISA'>, '4242')
>>> print(pan)
VISA •••• 4242
>>> Pan.is_valid("4242 4242 4242 4241")
False
"""

from __future__ import annotations

import datetime
import enum
import hmac
import re
from dataclasses import dataclass

MASK = "••••"
MAX_INPUT = 512  # > a swipe of all 3 tracks (79 + 40 + 107): longer input is refused up front


class Brand(enum.Enum):
    VISA = "VISA"
    MASTERCARD = "MASTERCARD"
    AMEX = "AMEX"
    DISCOVER = "DISCOVER"
    JCB = "JCB"
    DINERS = "DINERS"
    UNIONPAY = "UNIONPAY"
    MAESTRO = "MAESTRO"


class Reason(enum.Enum):
    """Why a card was refused, each with the sentence a cashier reads."""

    NOT_A_CARD_NUMBER = "this is not a card number"
    CHECKSUM = "the card number is mistyped (checksum failed)"
    LENGTH = "the card number has the wrong number of digits for its card type"
    UNKNOWN_BRAND = "this card type is not accepted"
    BAD_EXPIRY = "the expiry date is not a valid MM/YY date"
    EXPIRED = "the card has expired"
    BAD_SWIPE = "the card swipe could not be read; swipe again or type the number"
    TOO_LONG = f"the card input is longer than {MAX_INPUT} characters"


class InvalidCard(ValueError):
    """Card input was refused; ``reason`` says why. The message never holds the input."""

    def __init__(self, reason: Reason, detail: str = ""):
        self.reason = reason
        super().__init__(f"{reason.value}{detail}")


# Issuer identification number ranges, from the networks' published tables.
# (low prefix, high prefix, brand); the longest matching prefix wins, so e.g. the
# Discover co-branded 622126-622925 range beats UnionPay's 62.
_IIN_RANGES: tuple[tuple[str, str, Brand], ...] = (
    ("4", "4", Brand.VISA),
    ("51", "55", Brand.MASTERCARD),
    ("2221", "2720", Brand.MASTERCARD),
    ("34", "34", Brand.AMEX),
    ("37", "37", Brand.AMEX),
    ("6011", "6011", Brand.DISCOVER),
    ("644", "649", Brand.DISCOVER),
    ("65", "65", Brand.DISCOVER),
    ("622126", "622925", Brand.DISCOVER),
    ("3528", "3589", Brand.JCB),
    ("300", "305", Brand.DINERS),
    ("3095", "3095", Brand.DINERS),
    ("36", "36", Brand.DINERS),
    ("38", "39", Brand.DINERS),
    ("62", "62", Brand.UNIONPAY),
    ("5018", "5018", Brand.MAESTRO),
    ("5020", "5020", Brand.MAESTRO),
    ("5038", "5038", Brand.MAESTRO),
    ("5893", "5893", Brand.MAESTRO),
    ("6304", "6304", Brand.MAESTRO),
    ("6759", "6759", Brand.MAESTRO),
    ("6761", "6763", Brand.MAESTRO),
)

LENGTHS: dict[Brand, frozenset[int]] = {
    Brand.VISA: frozenset({13, 16, 19}),
    Brand.MASTERCARD: frozenset({16}),
    Brand.AMEX: frozenset({15}),
    Brand.DISCOVER: frozenset(range(16, 20)),
    Brand.JCB: frozenset(range(16, 20)),
    Brand.DINERS: frozenset(range(14, 20)),
    Brand.UNIONPAY: frozenset(range(16, 20)),
    Brand.MAESTRO: frozenset(range(12, 20)),
}

# Digits, optionally grouped by single spaces or dashes, as cashiers type them.
_TYPED_PAN = re.compile(r"\d+(?:[ -]\d+)*", re.ASCII)


def luhn_ok(digits: str) -> bool:
    """Whether a string of digits passes the Luhn (mod 10) check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def brand_of(digits: str) -> Brand | None:
    """The brand whose most specific IIN range holds these leading digits, if any."""
    best: tuple[int, Brand] | None = None
    for low, high, brand in _IIN_RANGES:
        prefix = digits[: len(low)]
        if len(prefix) == len(low) and low <= prefix <= high:
            if best is None or len(low) > best[0]:
                best = (len(low), brand)
    return best[1] if best else None


def compact(text: str) -> str:
    """The digits of typed card input, or raise if it is not a (grouped) digit string."""
    text = text.strip()
    if not _TYPED_PAN.fullmatch(text):
        raise InvalidCard(Reason.NOT_A_CARD_NUMBER)
    return re.sub(r"[ -]", "", text)


class Pan:
    """A validated primary account number that shows only brand and last 4."""

    __slots__ = ("_digits", "brand")

    def __init__(self, digits: str, brand: Brand):
        # Use Pan.parse(); this constructor trusts its caller.
        object.__setattr__(self, "_digits", digits)
        object.__setattr__(self, "brand", brand)

    @classmethod
    def parse(cls, text: str) -> Pan:
        """Validate typed input (digits, spaces or dashes between groups)."""
        digits = compact(text)
        if not 12 <= len(digits) <= 19:
            raise InvalidCard(Reason.LENGTH if len(digits) > 6 else Reason.NOT_A_CARD_NUMBER)
        if not luhn_ok(digits):
            raise InvalidCard(Reason.CHECKSUM)
        brand = brand_of(digits)
        if brand is None:
            raise InvalidCard(Reason.UNKNOWN_BRAND)
        if len(digits) not in LENGTHS[brand]:
            raise InvalidCard(Reason.LENGTH, f": {brand.value} cards have {_lengths_text(brand)} digits")
        return cls(digits, brand)

    @classmethod
    def is_valid(cls, text: str) -> bool:
        try:
            cls.parse(text)
        except InvalidCard:
            return False
        return True

    def reveal(self) -> str:
        """The full digits. Only the vault's item encryption may call this."""
        return self._digits

    @property
    def last4(self) -> str:
        return self._digits[-4:]

    @property
    def masked(self) -> str:
        return f"{self.brand.value} {MASK} {self.last4}"

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<Pan {self.masked}>"

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Pan):
            return NotImplemented
        return hmac.compare_digest(self._digits, other._digits)

    def __hash__(self) -> int:
        return hash((Pan, self._digits))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Pan is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Pan is immutable")

    def __reduce_ex__(self, protocol: object) -> object:
        raise TypeError("a Pan cannot be pickled or copied out of process memory")

    def __copy__(self) -> Pan:
        return self

    def __deepcopy__(self, memo: object) -> Pan:
        return self


def _lengths_text(brand: Brand) -> str:
    lengths = sorted(LENGTHS[brand])
    if lengths == list(range(lengths[0], lengths[-1] + 1)) and len(lengths) > 2:
        return f"{lengths[0]} to {lengths[-1]}"
    if len(lengths) == 1:
        return str(lengths[0])
    return ", ".join(map(str, lengths[:-1])) + f" or {lengths[-1]}"


@dataclass(frozen=True)
class Expiry:
    """A card's expiry month; the card is good through the last day of that month."""

    month: int
    year: int

    @classmethod
    def parse(cls, text: str) -> Expiry:
        """``MM/YY`` (or ``MM/YYYY``) as printed on the card."""
        match = re.fullmatch(r"(\d{1,2})/(\d{2}|\d{4})", text.strip(), re.ASCII)
        if not match:
            raise InvalidCard(Reason.BAD_EXPIRY)
        month, year = int(match[1]), int(match[2])
        return cls.of(month, year + 2000 if year < 100 else year)

    @classmethod
    def of(cls, month: int, year: int) -> Expiry:
        if not 1 <= month <= 12 or not 2000 <= year <= 2099:
            raise InvalidCard(Reason.BAD_EXPIRY)
        return cls(month, year)

    def is_expired(self, today: datetime.date) -> bool:
        return (self.year, self.month) < (today.year, today.month)

    def __str__(self) -> str:
        return f"{self.month:02d}/{self.year % 100:02d}"


@dataclass(frozen=True)
class Card:
    """What one card entry yields: the PAN, and expiry and holder name when known."""

    pan: Pan
    expiry: Expiry | None = None
    holder: str | None = None

    def check_not_expired(self, today: datetime.date) -> None:
        if self.expiry is not None and self.expiry.is_expired(today):
            raise InvalidCard(Reason.EXPIRED, f" ({self.expiry})")


# Track 1 (IATA): %B<PAN>^<SURNAME/GIVEN>^<YYMM><service code><discretionary>?
_TRACK1 = re.compile(r"%B(?P<pan>\d{12,19})\^(?P<name>[^^?]{0,26})\^(?P<yymm>\d{4}|\^)", re.ASCII)
# Track 2 (ABA): ;<PAN>=<YYMM><service code><discretionary>?
_TRACK2 = re.compile(r";(?P<pan>\d{12,19})=(?P<yymm>\d{4}|=)", re.ASCII)
# Both stop at the expiry and are searched up to the last "?" (end sentinel): a "[^?]*\?" tail
# would rescan the rest of the text from every start sentinel, quadratic time.


def looks_like_swipe(text: str) -> bool:
    """Whether input starts like magnetic-stripe data (a track's start sentinel)."""
    return text.lstrip().startswith(("%", ";"))


def parse_swipe(text: str, today: datetime.date) -> Card:
    """Read the PAN, holder name and expiry from raw track 1/2 text; drop the rest.

    Service code, discretionary data (where CVV-like values live) and the LRC are never
    returned or kept.
    """
    if len(text) > MAX_INPUT:
        raise InvalidCard(Reason.TOO_LONG)
    track1 = _TRACK1.search(text, 0, text.rfind("?"))
    track2 = _TRACK2.search(text, 0, text.rfind("?"))
    if track1 is None and track2 is None:
        raise InvalidCard(Reason.BAD_SWIPE)
    pans = {track[1] for track in (track1, track2) if track is not None}
    if len(pans) != 1:
        raise InvalidCard(Reason.BAD_SWIPE)
    try:
        pan = Pan.parse(pans.pop())
    except InvalidCard as error:
        # A misread stripe fails the checksum; ask for another swipe, not for typing care.
        raise InvalidCard(Reason.BAD_SWIPE if error.reason is Reason.CHECKSUM else error.reason) from None
    yymms = {t["yymm"] for t in (track1, track2) if t is not None and t["yymm"].isdigit()}
    if len(yymms) > 1:
        raise InvalidCard(Reason.BAD_SWIPE)
    yymm = yymms.pop() if yymms else None
    try:
        expiry = Expiry.of(int(yymm[2:]), 2000 + int(yymm[:2])) if yymm else None
    except InvalidCard:
        raise InvalidCard(Reason.BAD_SWIPE) from None
    holder = _holder_name(track1["name"]) if track1 is not None else None
    card = Card(pan, expiry, holder)
    card.check_not_expired(today)
    return card


def _holder_name(raw: str) -> str | None:
    """``SURNAME/GIVEN M.MR`` as encoded on track 1 -> ``GIVEN M.MR SURNAME``."""
    surname, _, given = raw.strip().partition("/")
    name = " ".join(part.strip() for part in (given, surname) if part.strip())
    return name or None


# The expiry is the last word: O(1) per start, where "(.*?)\s+" rescanned spaces (quadratic).
_LAST_WORD_EXPIRY = re.compile(r"\s(\d{1,2}/\d{2,4})\Z", re.ASCII)


def parse_card_input(text: str, today: datetime.date) -> Card:
    """One line of card input: ``PAN [MM/YY]`` as typed, or a raw magnetic-stripe swipe."""
    if len(text) > MAX_INPUT:
        raise InvalidCard(Reason.TOO_LONG)
    if looks_like_swipe(text):
        return parse_swipe(text, today)
    number, expiry = text.strip(), None
    match = _LAST_WORD_EXPIRY.search(number)
    if match:
        number, expiry = number[:match.start()].rstrip(" \t\n\r\f\v"), Expiry.parse(match[1])
    card = Card(Pan.parse(number), expiry)
    card.check_not_expired(today)
    return card
