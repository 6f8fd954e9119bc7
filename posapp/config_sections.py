"""The sections of the settings file, declared once as typed dataclasses: each field's type,
default, check (``posapp.config_checks``) and ``doc``. ``posapp.config`` reads them."""

from __future__ import annotations

import dataclasses
import enum
import re
import socket
from dataclasses import dataclass, field

from posapp import config_checks as checks


class VaultBackend(enum.Enum):
    """Where card numbers are kept: this till's own file, or the DynamoDB table tills share."""

    LOCAL = "local"
    DYNAMODB = "dynamodb"


class Materials(enum.Enum):
    """Where the DynamoDB vault's item keys come from."""

    DIRECT = "direct"  # one KMS data key per item: a CloudTrail record for every card access
    CACHED = "cached"  # keys kept in a meta table, wrapped by KMS: about one KMS call per version_ttl
    SEALED = "sealed"  # wrapped for back office's RSA key, signed by the till's own: no KMS call per sale


class WorkstationRole(enum.Enum):
    """Which backend role this workstation's AWS credentials hold (packaging/aws/posapp-backend.yaml)."""

    TILL = "till"  # stores cards and deletes its own new ones; cannot read a card back
    BACKOFFICE = "backoffice"  # reads and verifies cards, bills stored cards
    ADMIN = "admin"  # provisions, re-keys and purges


class PaymentProcessor(enum.Enum):
    """Who charges cards: nobody (a sale is recorded, its card kept on file) or Stripe."""

    NONE = "none"
    STRIPE = "stripe"


class CaptureMethod(enum.Enum):
    """When a sale's money is taken: at the sale, or when captured later (tabs, tips)."""

    AUTOMATIC = "automatic"
    MANUAL = "manual"


def _default_workstation_id() -> str:
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname()).strip("-._")
    return host[:64] or "workstation"


def _setting(default: object = dataclasses.MISSING, *, check=None, default_factory=dataclasses.MISSING, doc: str):
    return field(default=default, default_factory=default_factory, metadata={"check": check, "doc": doc})


@dataclass(frozen=True)
class WorkstationSettings:
    """``[workstation]``: ``id`` names the till (default: its host name); each field's ``doc``."""

    id: str = _setting(default_factory=_default_workstation_id, check=checks.workstation_id,
                       doc="Name of this till in orders, vault items and logs (default: host name).")
    role: WorkstationRole = _setting(WorkstationRole.TILL, doc="The AWS role this workstation's credentials hold: "
                                     "till (stores cards, cannot read them back), backoffice or admin.")


@dataclass(frozen=True)
class VaultSettings:
    """``[vault]``: local by default; "dynamodb" needs ``region`` and ``kms_key_id`` (see each ``doc``)."""

    backend: VaultBackend = _setting(VaultBackend.LOCAL, doc="Where card numbers are kept.")
    table: str = _setting("posapp-pan-vault", check=checks.table_name,
                          doc="DynamoDB table of the vault (cached mode adds TABLE-meta).")
    region: str | None = _setting(None, check=checks.aws_region, doc="AWS region of the vault table.")
    endpoint_url: str | None = _setting(None, check=checks.endpoint_url,
                                        doc="Other DynamoDB and KMS endpoint (moto, DynamoDB Local).")
    kms_key_id: str | None = _setting(None, check=checks.kms_key_arn, doc="ARN of the KMS key protecting item keys.")
    materials: Materials = _setting(Materials.DIRECT, doc="How item keys are obtained from KMS.")
    back_office_key: str | None = _setting(None, check=checks.back_office_key,
                                           doc="Sealed materials: the RSA public key of kms_key_id (base64 DER), "
                                               "pinned by posapp setup.")
    version_ttl: int = _setting(300, check=checks.positive, doc="Seconds cached materials are used before a check.")
    retention_days: int = _setting(400, check=checks.retention_days, doc="Days a card is kept after its sale or "
                                   "import (sooner 90 days after it expires); 0 keeps cards (PCI DSS 3.2.1).")

    @property
    def meta_table(self) -> str:
        """The table that keeps cached materials: ``table`` with "-meta" appended."""
        return f"{self.table}-meta"


@dataclass(frozen=True)
class OrdersSettings:
    """``[orders]``: the database URL (None: SQLite in the data folder) and MySQL's TLS files."""

    url: str | None = _setting(None, check=checks.orders_url,
                               doc="Order-history database URL (default: SQLite in the data folder).")
    ssl_ca: str | None = _setting(None, check=checks.existing_file, doc="CA bundle that signed the MySQL server's "
                                  "certificate; turns on TLS with certificate and host name checks.")
    ssl_cert: str | None = _setting(None, check=checks.existing_file, doc="Client certificate, where the server asks.")
    ssl_key: str | None = _setting(None, check=checks.existing_file, doc="Private key of the client certificate.")


@dataclass(frozen=True)
class QuickKey:
    """One ``[[merchant.quick_keys]]`` table: an item sold often, by ``name`` (recorded as the
    order name) and ``amount`` in the till's currency, written with a dot ("3.50", "1200" in JPY)."""

    name: str = _setting(check=checks.quick_key_name, doc="The order name the key fills in.")
    amount: str = _setting(check=checks.quick_key_amount, doc='The amount in the till\'s currency, like "3.50".')


@dataclass(frozen=True)
class MerchantSettings:
    """``[merchant]``: who sells (the receipt's header and footer), in which ``currency`` (default
    USD), and how amounts and times read: ``locale`` and ``timezone`` (None: the system's)."""

    currency: str = _setting("USD", check=checks.currency,
                             doc="ISO 4217 code of the till's currency; a cashier changes it for one sale only.")
    name: str | None = _setting(None, check=checks.receipt_line, doc="The business name at the top of receipts "
                         "and reports.")
    address: tuple[str, ...] = _setting((), check=checks.receipt_lines, doc="Lines of the address under the name, "
                                        'like ["1 Main Street", "Springfield"].')
    tax_id: str | None = _setting(None, check=checks.receipt_line, doc="VAT or sales-tax number printed on receipts.")
    receipt_footer: str | None = _setting(None, check=checks.receipt_line, doc="A last line on every receipt, "
                                          'like "Thank you!".')
    locale: str | None = _setting(None, check=checks.locale_name, doc="How amounts and dates are written and read, "
                                  "like de_DE (default: the system's, else en_US).")
    timezone: str | None = _setting(None, check=checks.time_zone, doc="The IANA time zone of the business day, "
                                    "like Europe/Berlin (default: the system's).")
    quick_keys: tuple[QuickKey, ...] = _setting((), check=checks.quick_keys, doc="Items sold often, at most "
                                               f"{checks.QUICK_KEYS_MAX}: buttons on the checkout, the first 8 on "
                                               'F5 to F12; each [[merchant.quick_keys]] has a name and an amount.')


@dataclass(frozen=True)
class ReceiptsSettings:
    """``[receipts]``: ``printer``, where the window prints receipts and reports."""

    printer: str = _setting("system", check=checks.printer, doc='"system" (the print dialog) or a receipt printer: '
                            '"escpos-network:HOST:PORT", "escpos-usb:VENDOR:PRODUCT" (hex ids) or "escpos-file:PATH".')


@dataclass(frozen=True)
class AccessSettings:
    """``[access]``: ``idle_lock_minutes``, how long the window waits without input before it locks."""

    idle_lock_minutes: int = _setting(15, check=checks.idle_lock_minutes,
                                      doc="Minutes without input before the window locks (1 to 15; PCI DSS 8.2.8).")


@dataclass(frozen=True)
class PaymentsSettings:
    """``[payments]``: ``processor`` ("none" or "stripe"), Stripe's ``api_base`` and ``capture``.

    The processor's API key is a secret: the keyring or ``POSAPP_STRIPE_KEY``, never this file."""

    processor: PaymentProcessor = _setting(PaymentProcessor.NONE, doc="Who charges cards: none (sales are "
                                           "recorded, card on file) or stripe.")
    api_base: str | None = _setting(None, check=checks.endpoint_url,
                                    doc="Other address of Stripe's API (a proxy; localstripe in tests).")
    capture: CaptureMethod = _setting(CaptureMethod.AUTOMATIC, doc="automatic: the money is taken at the sale; "
                                      "manual: authorized at the sale, captured later.")


SECTIONS: dict[str, type] = {
    "workstation": WorkstationSettings,
    "merchant": MerchantSettings,
    "access": AccessSettings,
    "vault": VaultSettings,
    "orders": OrdersSettings,
    "payments": PaymentsSettings,
    "receipts": ReceiptsSettings,
}
