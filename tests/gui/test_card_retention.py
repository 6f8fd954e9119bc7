"""An order whose card's retention ended (PCI DSS 3.2.1) says "card no longer stored" in the history
and in its detail pane, whose receipt buttons stay (a receipt needs only the order's masked card)."""

import datetime

from kit import sell

from posapp import clock

CARD = 4  # the card column


def test_the_history_and_the_detail_pane_say_card_no_longer_stored(qtbot, window, services, monkeypatch):
    order = sell(services)
    assert services.retention_days == 400 and order.card_expires_at is not None
    window.tabs.setCurrentWidget(window.history)

    def shown():
        model = window.history_model
        model.refresh()
        qtbot.waitUntil(lambda: model.rowCount() == 1 and not model.loading, timeout=10_000)
        window.history.table.selectRow(0)
        return model.data(model.index(0, CARD)), window.history.details._fields["card"].text()

    masked = f"VISA •••• {order.card_last4}"
    assert shown() == (masked, masked)
    real = clock.utc_now
    monkeypatch.setattr(clock, "utc_now", lambda: real() + datetime.timedelta(days=400))
    gone = f"{masked}, card no longer stored"
    assert shown() == (gone, gone)
    assert window.history.details.receipt.isVisible()  # a cashier still prints its receipt
