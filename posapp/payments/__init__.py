"""Card processors: the :class:`Processor` port, its result types and errors, and the adapters.

``none`` (:mod:`posapp.payments.none`) records sales as card on file; ``stripe``
(:mod:`posapp.payments.stripe_processor`, which alone imports the ``stripe`` library) charges
through Stripe. Importing this package loads no processor library.
"""

from posapp.payments.base import (
    Payment,
    PaymentError,
    PaymentRefused,
    PaymentState,
    Processor,
    ProcessorLoginRefused,
    ProcessorOutcomeUnknown,
    ProcessorUnavailable,
    Refund,
)

__all__ = ["Payment", "PaymentError", "PaymentRefused", "PaymentState", "Processor", "ProcessorLoginRefused",
           "ProcessorOutcomeUnknown", "ProcessorUnavailable", "Refund"]
