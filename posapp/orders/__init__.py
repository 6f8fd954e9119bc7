"""Order history: orders hold a vault token and masked card data, never a card number."""

from posapp.orders.base import (
    DuplicateSale,
    InvalidOrder,
    NewOrder,
    NotProvisioned,
    Order,
    OrderFilter,
    OrderNotFound,
    OrderOutcomeUnknown,
    OrderPage,
    OrderStore,
    OrderStoreError,
    OrderStoreUnavailable,
)
from posapp.orders.listing import OrderSort, OrderTotals, PageKey, SortKey

__all__ = ["DuplicateSale", "InvalidOrder", "NewOrder", "NotProvisioned", "Order", "OrderFilter", "OrderNotFound",
           "OrderOutcomeUnknown", "OrderPage", "OrderSort", "OrderStore",
           "OrderStoreError", "OrderStoreUnavailable", "OrderTotals", "PageKey", "SortKey"]
