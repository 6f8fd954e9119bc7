"""Eight tills charging at once through one processor (localstripe) into one MariaDB order
history: every sale is one order and one payment, none lost and none doubled."""

import threading
from collections import Counter

from kit import CASHIER, local_vault, order_store, sale

from posapp import pairing
from posapp.card import Brand
from posapp.checkout import CheckoutService
from posapp.cvc import Cvc
from posapp.orders.status import OrderStatus

TILLS, SALES = 8, 25


def test_eight_tills_selling_at_once_lose_and_double_no_payment(tmp_path, mysql_db, stripe_processor, localstripe):
    vault = local_vault(tmp_path)
    vault.provision()
    first = order_store(mysql_db.url, vault=vault, workstation="till-00")
    first.provision()
    pairing.provision(vault, first)
    checkouts = []
    for number in range(TILLS):
        till = f"till-{number:02d}"
        orders = order_store(mysql_db.url, vault=vault, workstation=till) if number else first  # a pool each
        checkouts.append(CheckoutService(vault, orders, workstation=till, operator=CASHIER,
                                         processor=stripe_processor))
    barrier, sold, failed = threading.Barrier(TILLS), [], []

    def sell(checkout):
        barrier.wait()
        for _ in range(SALES):
            try:
                sold.append(checkout.checkout(sale(number="4242424242424242", cvc=Cvc.parse("123", Brand.VISA))))
            except Exception as error:  # pragma: no cover - reported below
                failed.append(error)

    threads = [threading.Thread(target=sell, args=(checkout,)) for checkout in checkouts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    orders = first.page(limit=500).orders
    assert len(orders) == len(sold) == TILLS * SALES
    assert {order.status for order in orders} == {OrderStatus.PAID}
    intents = localstripe.payment_intents()
    per_order = Counter(intent["metadata"]["posapp_order"] for intent in intents)
    assert len(intents) == TILLS * SALES and set(per_order.values()) == {1}  # one payment per order
    assert {str(order.id) for order in orders} == set(per_order)
    assert {order.payment_reference for order in orders} == {intent["id"] for intent in intents}
    assert Counter(order.workstation for order in orders) == {f"till-{n:02d}": SALES for n in range(TILLS)}
