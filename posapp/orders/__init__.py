"""Order history: orders hold a vault token and masked card data, never a card number."""

from posapp.orders.base import (
    InvalidOrder,
    NewOrder,
    Order,
    OrderFilter,
    OrderNotFound,
    OrderPage,
    OrderStore,
    OrderStoreError,
    OrderStoreUnavailable,
)

__all__ = ["InvalidOrder", "NewOrder", "Order", "OrderFilter", "OrderNotFound", "OrderPage", "OrderStore",
           "OrderStoreError", "OrderStoreUnavailable"]
