"""The order history's side of retention, on SQLite and MariaDB: card_expires_at written with the
order, read back, and set by purge only where an order has none."""

import datetime

from kit import NOW, new_order

UTC = datetime.timezone.utc
DAY = datetime.timedelta(days=1)


def test_card_expires_at_is_kept_with_the_order_to_the_second(order_store):
    expires = NOW + 400 * DAY
    order = order_store.add(new_order(card_expires_at=expires.replace(microsecond=0)))
    assert order_store.get(order.id).card_expires_at == expires == order.card_expires_at
    assert order_store.retention.card_expires_at(order.token) == expires
    assert order_store.retention.card_expires_at("no such token") is None


def test_purge_marks_only_the_orders_without_one(order_store):
    legacy = [order_store.add(new_order(created_at=NOW - days * DAY)) for days in (500, 450, 10)]
    sold = order_store.add(new_order(created_at=NOW - 500 * DAY, card_expires_at=NOW + DAY))
    retention = order_store.retention
    due = retention.unmarked(NOW - 400 * DAY)
    assert due == [(legacy[1].id, legacy[1].token, legacy[1].created_at), (legacy[0].id, legacy[0].token,
                                                                            legacy[0].created_at)]
    assert retention.unmarked(NOW - 400 * DAY, before=legacy[1].id) == due[1:]
    assert retention.mark({legacy[0].id: NOW, legacy[1].id: NOW - DAY, sold.id: NOW}) == 2
    assert [order_store.get(order.id).card_expires_at for order in (*legacy, sold)] == [NOW, NOW - DAY, None,
                                                                                        NOW + DAY]
    assert retention.unmarked(NOW) == [(legacy[2].id, legacy[2].token, legacy[2].created_at)]
    assert retention.count_orders({legacy[0].token, sold.token, "no such token"}) == 2
