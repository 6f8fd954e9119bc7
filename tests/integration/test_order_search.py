"""Order search ignores case and accents, and gives the same answers on SQLite and MariaDB.

Before, "cafe" found "Café" on MariaDB (its collation ignores accents) but not on SQLite,
whose LIKE folds ASCII letters only.
"""

import unicodedata
import uuid

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from kit import new_order

from posapp.orders import InvalidOrder, OrderFilter
from posapp.orders.search import fold

ORDERS = [
    ("Café crème", None),
    ("CAFE NOIR", None),
    ("cafe\u0301 au lait", "decomposed accent"),
    ("Brezel", "Straße 5"),
    ("İstanbul kebap", None),
    ("\u0131l\u0131k süt", None),  # Turkish, dotless i
    ("Łódź pierogi", None),
    ("Smørrebrød", None),
    ("Æbleskiver", None),
    ("100% juice", None),
    ("under_score", None),
    ("back\\slash", None),
    ("Ｆｕｌｌ ｗｉｄｔｈ", None),
    ("☕ espresso", "for 👨‍👩‍👧"),
    ("日本語のメニュー", "ラーメン"),
    ("한국 음식", None),
    ("ﬁsh soup", None),
]

SEARCHES = [
    ("cafe", {"Café crème", "CAFE NOIR", "cafe\u0301 au lait"}),
    ("CAFÉ", {"Café crème", "CAFE NOIR", "cafe\u0301 au lait"}),
    ("cafe\u0301", {"Café crème", "CAFE NOIR", "cafe\u0301 au lait"}),
    ("Crème", {"Café crème"}),
    ("creme", {"Café crème"}),
    ("decomposed", {"cafe\u0301 au lait"}),
    ("strasse", {"Brezel"}),
    ("STRASSE", {"Brezel"}),
    ("straße", {"Brezel"}),
    ("STRAẞE", {"Brezel"}),
    ("istanbul", {"İstanbul kebap"}),
    ("ISTANBUL", {"İstanbul kebap"}),
    ("ilik", {"\u0131l\u0131k süt"}),
    ("ILIK", {"\u0131l\u0131k süt"}),
    ("\u0131l\u0131k", {"\u0131l\u0131k süt"}),
    ("lodz", {"Łódź pierogi"}),
    ("smorrebrod", {"Smørrebrød"}),
    ("aebleskiver", {"Æbleskiver"}),
    ("%", {"100% juice"}),
    ("0%", {"100% juice"}),
    ("_", {"under_score"}),
    ("d_r", set()),  # "_" is no wildcard: "der" does not match
    ("\\", {"back\\slash"}),
    ("full width", {"Ｆｕｌｌ ｗｉｄｔｈ"}),
    ("FULL", {"Ｆｕｌｌ ｗｉｄｔｈ"}),
    ("☕", {"☕ espresso"}),
    ("👨‍👩‍👧", {"☕ espresso"}),
    ("メニュー", {"日本語のメニュー"}),
    ("ﾗｰﾒﾝ", {"日本語のメニュー"}),  # half-width katakana
    ("한국", {"한국 음식"}),
    ("하", set()),  # a syllable is not found inside another one
    ("fish", {"ﬁsh soup"}),
    ("noir cafe", set()),
]


@pytest.fixture
def shop(order_store):
    for name, description in ORDERS:
        order_store.add(new_order(name=name, description=description))
    return order_store


def test_search_finds_what_a_person_means(shop):
    answers = {text: {order.name for order in shop.page(where=OrderFilter(text=text)).orders} for text, _ in SEARCHES}
    assert answers == dict(SEARCHES)


def test_a_search_of_accents_alone_filters_nothing(shop):
    assert len(shop.page(where=OrderFilter(text="\u0301")).orders) == len(ORDERS)


def test_search_pages_stay_exact(shop):
    for i in range(7):
        shop.add(new_order(name=f"Café {i}"))
    seen, before = [], None
    while True:
        page = shop.page(before=before, limit=3, where=OrderFilter(text="CAFE"))
        seen += [order.name for order in page.orders]
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == [f"Café {i}" for i in reversed(range(7))] + ["cafe\u0301 au lait", "CAFE NOIR", "Café crème"]


# Text an order may hold: no control characters (refused when stored) and no digits, so
# that no generated text looks like a card number.
order_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Nd")), min_size=1, max_size=12).filter(
    lambda text: text.strip() == text)


def variants(text):
    """Ways a person may type a piece of ``text``."""
    return st.sampled_from([text, text.upper(), text.lower(), unicodedata.normalize("NFD", text),
                            unicodedata.normalize("NFC", text), unicodedata.normalize("NFKC", text)])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(order_text, min_size=1, max_size=4), data=st.data())
def test_both_backends_answer_as_the_folded_text_says(order_store, names, data):
    till = uuid.uuid4().hex  # the orders of this example alone: the store is shared by all examples
    try:
        orders = [new_order(name=name, workstation=till) for name in names]
    except InvalidOrder:  # text no order may hold (a bidirectional override...)
        reject()
    for order in orders:
        order_store.add(order)
    source = data.draw(st.sampled_from(names))
    start = data.draw(st.integers(0, len(source) - 1))
    text = data.draw(st.one_of(variants(source[start:data.draw(st.integers(start + 1, len(source)))]), order_text))
    found = order_store.page(where=OrderFilter(text=text, workstation=till)).orders
    expected = [name for name in reversed(names) if fold(text) in fold(name)]
    assert [order.name for order in found] == expected


def test_orders_other_programs_wrote_are_found_after_provision(order_store):
    with order_store._engine.begin() as connection:  # the reference application, still writing
        connection.execute(sa.text("INSERT INTO OrderHistory (OrderName, Description, AWS_PA_Token) "
                                   "VALUES ('Crème brûlée', 'Große Portion', 'legacy-token')"))
    order_store.provision()
    for text in ("creme brulee", "GROSSE"):
        assert [order.name for order in order_store.page(where=OrderFilter(text=text)).orders] == ["Crème brûlée"]


def test_orders_other_programs_wrote_since_provision_are_found_as_written(order_store):
    with order_store._engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO OrderHistory (OrderName, Description, AWS_PA_Token) "
                                   "VALUES ('Crème brûlée', '100% Große Portion', 'legacy-token')"))
    for text in ("Crème", "brûlée", "100%", "Große"):  # as written: the database's own comparison
        assert [order.name for order in order_store.page(where=OrderFilter(text=text)).orders] == ["Crème brûlée"]
    assert order_store.page(where=OrderFilter(text="0%G")).orders == []
