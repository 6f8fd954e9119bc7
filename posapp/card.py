"""Payment cards: the PAN value object, expiry, and card input as typed or swiped.

Pure domain code: it imports nothing from posapp but its pure neighbours (``errors``, ``iin``, ``luhn``,
``pan_detect``, ``tracks``), and nothing from Qt or boto3.

A :class:`Pan` never shows its digits by accident. ``str``, ``repr``, formatting,
logging and exception text give the masked form (``VISA •••• 4242``) and pickling is
refused; :meth:`Pan.reveal` is the one explicit way to the digits, for the vault alone.

Examples with card numbers are in ``tests/unit/test_card*.py``: no card number, not even a
published test card, is written outside ``tests/``.

>>> str(Expiry.parse("1229")), Expiry.parse("12/2029") == Expiry(12, 2029)
('12/29', True)
"""

from __future__ import annotations

import datetime
import enum
import hmac
from dataclasses import dataclass

from posapp import card_text, luhn
from posapp.errors import InvalidInput
from posapp.iin import LENGTHS, Brand, brand_of, lengths_text
from posapp.pan_detect import normalize
from posapp.tracks import read_tracks, starts_like_swipe, typed_for_another_layout

MASK = "••••"
MAX_INPUT = 512  # > a swipe of all 3 tracks (79 + 40 + 107): longer input is refused up front


class Reason(enum.Enum):
    """Why card input was refused, as the sentence a cashier reads: what is wrong with what was
    typed or swiped; never "refused" or "declined", which a cashier reads as the bank's answer."""

    NOT_A_CARD_NUMBER = "This is not a card number"
    GROUPING = "The card number's groups are apart with other marks; use spaces or dashes"
    EXPIRY_APART = "The expiry runs into the card number; write it apart, after a space, as MM/YY"
    CHECKSUM = "The card number has a typo"
    TOO_SHORT = "The card number is too short"
    TOO_LONG_NUMBER = "The card number is too long"
    LENGTH = "The card number has the wrong number of digits"
    UNKNOWN_BRAND = "The card number's first digits match no card type this till takes"
    BAD_EXPIRY = "The expiry date is not a month and year written MM/YY"
    AMBIGUOUS_EXPIRY = "The last digits could be part of the card number or the expiry; write the expiry as MM/YY"
    EXPIRED = "This card expired"
    BAD_SWIPE = "The card swipe could not be read; swipe again or type the number"
    OTHER_LAYOUT = ("The card reader types for another keyboard layout than this computer's, so a swipe "
                    "cannot be read here; type the card number")
    TOO_LONG = f"The card input is longer than {MAX_INPUT} characters"


class InvalidCard(InvalidInput):
    """Card input was refused; ``reason`` says why. The message never holds the input."""

    def __init__(self, reason: Reason, detail: str = ""):
        self.reason = reason
        super().__init__(f"{reason.value}{detail}")


def compact(text: str) -> str:
    """The ASCII digits of a typed card number; InvalidCard unless it is a (grouped) digit string."""
    digits = card_text.number_digits(text)
    if digits is None:
        raise InvalidCard(Reason.NOT_A_CARD_NUMBER)
    return digits


class Pan:
    """A validated primary account number that shows only brand and last 4; made by :meth:`parse`."""

    __slots__ = ("_digits", "brand")

    def __init__(self, digits: str, brand: Brand):
        # Use Pan.parse(); this constructor trusts its caller.
        object.__setattr__(self, "_digits", digits)
        object.__setattr__(self, "brand", brand)

    @classmethod
    def parse(cls, text: str) -> Pan:
        """Validate a typed number: any Unicode digits, grouped by spaces, tabs or a dash.

        Raises :class:`InvalidCard` whose reason says what is wrong; the message never holds
        the input.
        """
        digits = compact(text)
        if len(digits) > 19:
            raise InvalidCard(Reason.TOO_LONG_NUMBER, ": cards have at most 19 digits")
        if len(digits) < 12:
            raise InvalidCard(Reason.TOO_SHORT if len(digits) > 6 else Reason.NOT_A_CARD_NUMBER)
        if not luhn.is_valid(digits):
            raise InvalidCard(Reason.CHECKSUM)
        brand = brand_of(digits)
        if brand is None:
            raise InvalidCard(Reason.UNKNOWN_BRAND)
        if len(digits) not in (lengths := LENGTHS[brand]):
            raise InvalidCard(Reason.TOO_SHORT if len(digits) < min(lengths) else Reason.TOO_LONG_NUMBER
                              if len(digits) > max(lengths) else Reason.LENGTH,
                              f": {brand.value} cards have {lengths_text(brand)} digits")
        return cls(digits, brand)

    @classmethod
    def is_valid(cls, text: str) -> bool:
        """Whether :meth:`parse` would accept ``text`` (for the GUI's inline check); never raises."""
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
        """The last 4 digits, as ASCII: safe to show, log and store beside the token."""
        return self._digits[-4:]

    @property
    def masked(self) -> str:
        """Brand and last 4 (``VISA •••• 4242``): what ``str``, ``repr`` and ``format`` give."""
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


@dataclass(frozen=True)
class Expiry:
    """A card's expiry month; the card is good through the last day of that month."""

    month: int
    year: int

    @classmethod
    def parse(cls, text: str) -> Expiry:
        """An expiry as people write it: ``12/29``, ``12/2029``, ``1229``, ``12-29``, ``12.29``, ``12 29``.

        Month first, as printed on cards; years 2000-2099. Raises :class:`InvalidCard` (BAD_EXPIRY).
        """
        month_year = card_text.month_year(text)
        if month_year is None:
            raise InvalidCard(Reason.BAD_EXPIRY)
        return cls.of(*month_year)

    @classmethod
    def of(cls, month: int, year: int) -> Expiry:
        """The expiry of ``month`` 1-12 of four-digit ``year`` 2000-2099; InvalidCard (BAD_EXPIRY) otherwise."""
        if not 1 <= month <= 12 or not 2000 <= year <= 2099:
            raise InvalidCard(Reason.BAD_EXPIRY)
        return cls(month, year)

    def is_expired(self, today: datetime.date) -> bool:
        """Whether ``today`` (the caller's date; posapp passes the UTC date) is past the expiry month."""
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
        """Raise InvalidCard (EXPIRED) if the expiry is known and before ``today``'s month."""
        if self.expiry is not None and self.expiry.is_expired(today):
            raise InvalidCard(Reason.EXPIRED, f" in {self.expiry}")


def parse_swipe(text: str, today: datetime.date) -> Card:
    """Read the PAN, holder name and expiry from raw track 1/2 text; drop the rest.

    Lines may break between tracks; a track the reader failed to read (``%E?``) or misread (the
    checksum fails) is passed over when the other track is good. Service code, discretionary
    data (where CVV-like values live) and the LRC are never returned or kept. Raises InvalidCard
    (BAD_SWIPE, OTHER_LAYOUT, EXPIRED against ``today``, the caller's UTC date...).
    """
    text = _normalized(text)
    tracks = read_tracks(text)
    if not tracks:
        raise InvalidCard(Reason.OTHER_LAYOUT if typed_for_another_layout(text) else Reason.BAD_SWIPE)
    good, refusals = [], []
    for track in tracks:
        try:
            good.append((Pan.parse(track.number), track))
        except InvalidCard as error:
            refusals.append(error.reason)
    if not good:
        # A misread stripe fails the checksum; ask for another swipe, not for typing care.
        raise InvalidCard(next((reason for reason in refusals if reason is not Reason.CHECKSUM), Reason.BAD_SWIPE))
    yymms = {track.yymm for _, track in good if track.yymm}
    if len({pan for pan, _ in good}) > 1 or len(yymms) > 1:
        raise InvalidCard(Reason.BAD_SWIPE)
    yymm = yymms.pop() if yymms else None
    try:
        expiry = Expiry.of(int(yymm[2:]), 2000 + int(yymm[:2])) if yymm else None
    except InvalidCard:
        raise InvalidCard(Reason.BAD_SWIPE) from None
    holder = next((track.name for _, track in good if track.name), None)
    card = Card(good[0][0], expiry, holder)
    card.check_not_expired(today)
    return card


def parse_card_input(text: str, today: datetime.date) -> Card:
    """One card entry: ``PAN [expiry]`` as typed (see :meth:`Expiry.parse`), or a raw swipe.

    Input is normalised as the card-number detector sees it (``pan_detect.normalize``): any
    Unicode digits, a byte-order mark or other invisible characters, any kind of space.
    Raises InvalidCard, whose reason says what is wrong (EXPIRED: before ``today``, a UTC date).
    """
    text = _normalized(text)
    if starts_like_swipe(text):
        return parse_swipe(text, today)
    card = Card(*_read_typed(text))
    card.check_not_expired(today)
    return card


def _normalized(text: str) -> str:
    if len(text) > MAX_INPUT:
        raise InvalidCard(Reason.TOO_LONG)
    text = normalize(text)
    if len(text) > MAX_INPUT:  # NFKC can lengthen text (one ligature becomes up to 18 letters)
        raise InvalidCard(Reason.TOO_LONG)
    return text


def _read_typed(text: str) -> tuple[Pan, Expiry | None]:
    """The card number and expiry of typed input, choosing among the ways to read it.

    A 16-digit Visa number and "1229" read as a number and an expiry because no brand issues 20-digit
    numbers; a 16-digit Mastercard number as one number because Mastercard issues no 12-digit ones.
    Where the brand issues both lengths (Maestro 12-19: 12 digits and "1229"), the digits may be one
    number, or a shorter one and its expiry, or a longer one with a typo that happens to leave a
    valid shorter card: a guess could store another card's number, so the cashier is asked to write
    the expiry with a slash. When no reading is valid, one whose number has a length its brand
    issues names the fault, so a bad expiry is never reported as a bad card number.
    """
    readings = card_text.readings(text)
    cards, errors, fitting = [], [], []
    for number, expiry in readings:
        try:
            pan = Pan.parse(number)
            cards.append((pan, Expiry.parse(expiry) if expiry is not None else None))
        except InvalidCard as error:
            errors.append(error)
            if card_text.fits_its_brand(number):
                fitting.append(error)
            cards.append(None)
    whole, split = cards[0], {card for card in cards[1:] if card}
    if split and (whole or card_text.fits_its_brand(text)) or len(split) > 1:
        raise InvalidCard(Reason.AMBIGUOUS_EXPIRY)
    if whole or split:
        return whole or split.pop()
    if fitting:
        raise fitting[0]
    if card_text.grouped_oddly(text):  # "NNNN.NNNN.NNNN.NNNN": a card, oddly grouped
        raise InvalidCard(Reason.GROUPING)
    if card_text.expiry_run_in(text):  # a 16-digit number with "1229" right after it
        raise InvalidCard(Reason.EXPIRY_APART)
    # No length fits: a plain 12-19 digit number is wrong as a number, anything else as written.
    raise errors[0] if card_text.plain_number(text) or len(errors) == 1 else errors[1]
