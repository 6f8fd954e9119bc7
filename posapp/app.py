"""The composition root: the one place that turns settings into services.

Adapters are built on first use, on whichever thread first needs them: the GUI shows its
window without importing SQLAlchemy, boto3 or the encryption SDK, and its first background
task pays for them instead.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from posapp import audit_trail, pairing
from posapp.access.operators import Operators
from posapp.access.roles import SignedIn
from posapp.audit.chain import ChainReport, Event
from posapp.checkout import CheckoutService
from posapp.clock import utc_now
from posapp.config import CaptureMethod, Materials, Paths, PaymentProcessor, Settings, VaultBackend, WorkstationRole
from posapp.config_checks import is_mysql
from posapp.errors import ConfigError, PosappError
from posapp.localization import Localization
from posapp.money import Money
from posapp.orders import OrderStore
from posapp.orders.base import JournalSetup
from posapp.payments import Processor
from posapp.reports.merchant import Merchant
from posapp.reports.receipts import Receipts
from posapp.secrets import orders_password
from posapp.vault import Vault
from posapp.vault_wiring import build_vault

if TYPE_CHECKING:
    from posapp.reports.day import DayReports
    from posapp.verification import OrderCards

T = TypeVar("T")
log = logging.getLogger(__name__)


class Services:
    """The vault, the order store and the checkout of one till, and the few facts about
    its settings the front ends show; thread-safe. The front ends never read Settings."""

    def __init__(self, settings: Settings, orders_password: Callable[[str], str | None] = orders_password):
        self._settings = settings
        self._orders_password = orders_password
        self._built: dict[str, object] = {}
        self._lock = threading.RLock()
        self._anchoring = audit_trail.Anchoring(lambda: self.vault)

    def _once(self, name: str, make: Callable[[], T]) -> T:
        with self._lock:
            if name not in self._built:
                self._built[name] = make()
            return self._built[name]  # type: ignore[return-value]

    @property
    def vault(self) -> Vault:
        """The card vault the settings name, built on first use (no I/O until it is used)."""
        return self._once("vault", lambda: build_vault(self._settings))

    @property
    def orders(self) -> OrderStore:
        """The order store, built on first use; a local one is paired with the local vault then,
        which may raise the vault's or the store's PosappError (Unavailable, IntegrityFailure)."""
        return self._once("orders", self._open_orders)

    def _open_orders(self) -> OrderStore:
        # The journal's key and anchors are the vault's: the vault is built (not opened) here too.
        journal = JournalSetup(self.workstation, key=lambda: self.vault.audit_key(),
                               committed=self._anchoring, clock=utc_now)
        store = build_orders(self._settings, journal, password=self._orders_password)
        if store.is_local:  # made with the local vault on the first run; never again on its own
            pairing.open_local(self.vault, store)
        return store

    def paired(self) -> None:
        """Check once that the order history is the vault's own, before anything writes or deletes."""
        self._once("paired", self._pair)

    def _pair(self) -> None:
        if self.orders.is_local:
            self.vault.provision()  # a till's first sale makes its local vault
            pairing.open_local(self.vault, self.orders)
        pairing.check(self.vault, self.orders)

    def checkout(self, operator: SignedIn) -> CheckoutService:
        """The checkout of this till for ``operator``, its sales recorded under ``[workstation] id``
        and the operator's login; first checks the pairing (see :meth:`paired`), raising what that raises."""
        self.paired()
        return self._once(f"checkout:{operator}", lambda: CheckoutService(
            self.vault, self.orders, workstation=self._settings.workstation.id, operator=operator,
            processor=self.processor, capture=self._settings.payments.capture is CaptureMethod.AUTOMATIC,
            retention_days=self.retention_days))

    @property
    def retention_days(self) -> int:
        """Days a card is kept in the vault (``[vault] retention_days``; 0: kept), PCI DSS 3.2.1."""
        return self._settings.vault.retention_days

    @property
    def processor(self) -> Processor:
        """The card processor ``[payments] processor`` names, built on first use (no I/O); raises
        ConfigError when it needs an API key that is in neither the keyring nor the environment."""
        return self._once("processor", lambda: build_processor(self._settings))

    @property
    def charges_cards(self) -> bool:
        """Whether a sale is charged (a processor is configured), or recorded as card on file."""
        return self._settings.payments.processor is not PaymentProcessor.NONE

    @property
    def operators(self) -> Operators:
        """Sign-in and operator management, in the order database."""
        return self._once("operators", lambda: Operators(self.orders.operators, self.orders.journal))

    @property
    def vault_is_this_tills_own(self) -> bool:
        """Whether this till holds only its own audit key (its local vault beside a shared order history):
        it can then verify only its own journal chain."""
        return self._settings.vault.backend is VaultBackend.LOCAL and not self.orders.is_local

    def note_settings_saved(self, path: Path) -> bool:
        """Journal that the settings file ``path`` was written (by setup, before anyone can sign in).

        False, and a log line, where the order history cannot take it yet (not provisioned,
        unreachable): setup comes before ``provision``, which is journalled in its turn."""
        try:
            self.orders.journal.record(Event("settings", "ok", details={"file": str(path)}))
        except PosappError as error:
            log.info("the settings written to %s are not journalled: %s", path, error)
            return False
        self.anchor_journal()
        return True

    def anchor_journal(self) -> None:
        """Anchor this till's newest journal entries beside the audit key now (a command's end, the
        window's timer), so that deleting them is caught too; never raises."""
        self._anchoring.flush()

    def verify_journal(self) -> list[ChainReport]:
        """Check every journal chain this till holds the key of (see :func:`audit_trail.verify`)."""
        return audit_trail.verify(self.vault, self.orders.journal,
                                  only=self.workstation if self.vault_is_this_tills_own else None)

    def order_cards(self) -> OrderCards:
        """The orders whose cards this vault keeps: a till's local vault beside a shared order
        history holds only that till's."""
        from posapp.verification import OrderCards

        return OrderCards(self.vault, self.orders,
                          workstation=self.workstation if self.vault_is_this_tills_own else None,
                          now=utc_now(), retention_days=self.retention_days)

    def provision(self) -> None:
        """Create or upgrade the vault and the order history, and pair them."""
        self.vault.provision()
        pairing.provision(self.vault, self.orders)

    @property
    def workstation(self) -> str:
        """This till's id (``[workstation] id``), recorded on its orders and vault items."""
        return self._settings.workstation.id

    @property
    def currency(self) -> str:
        """The ISO 4217 code a sale is in unless another is chosen (``[merchant] currency``)."""
        return self._settings.merchant.currency

    @property
    def quick_keys(self) -> tuple[tuple[str, Money], ...]:
        """The checkout's quick keys (``[[merchant.quick_keys]]``), in order: order name and amount
        in the till's currency, both checked when the settings were loaded."""
        return tuple((key.name, Money.parse(key.amount, self.currency)) for key in self._settings.merchant.quick_keys)

    @property
    def localization(self) -> Localization:
        """How amounts and times read here: ``[merchant] locale`` and ``timezone``, else the system's."""
        merchant = self._settings.merchant
        return self._once("localization", lambda: Localization.named(merchant.locale, merchant.timezone))

    @property
    def merchant(self) -> Merchant:
        """The business and this till, as receipts and reports name them (``[merchant]``)."""
        merchant = self._settings.merchant
        return Merchant(merchant.name, merchant.address, merchant.tax_id, merchant.receipt_footer, self.workstation)

    @property
    def day_reports(self) -> DayReports:
        """Day reports and closes of this till (or, for the back office, of any till): ``posapp.reports.day``."""
        from posapp.reports.day import DayReports

        return self._once("day_reports", lambda: DayReports(self.orders, self.localization,
                                                            workstation=self.workstation))

    @property
    def receipts(self) -> Receipts:
        """Receipts of the orders, headed by :attr:`merchant`; builds the order store (see :attr:`orders`),
        so it is for where I/O may run."""
        return self._once("receipts", lambda: Receipts(self.orders, merchant=self.merchant,
                                                       localization=self.localization))

    @property
    def receipt_printer(self) -> str:
        """Where the window prints receipts: "system" or an ESC/POS target (``[receipts] printer``)."""
        return self._settings.receipts.printer

    @property
    def idle_lock_minutes(self) -> int:
        """Minutes without input before the window locks (``[access] idle_lock_minutes``)."""
        return self._settings.access.idle_lock_minutes

    @property
    def settings_files(self) -> tuple[Path, ...]:
        """The settings files read, in the order read; empty in local mode without settings."""
        return tuple(self._settings.files)

    @property
    def shared_vault(self) -> bool:
        """Whether cards go to the DynamoDB vault (else to this till's local vault)."""
        return self._settings.vault.backend is VaultBackend.DYNAMODB

    @property
    def shared_orders(self) -> bool:
        """Whether orders go to a MySQL server (else to this till's SQLite file)."""
        return is_mysql(self._settings.orders.url)

    @property
    def safeguards(self) -> Safeguards:
        """What the settings say about how cards are kept, for ``doctor --pci`` (``posapp.pci``)."""
        settings = self._settings
        return Safeguards(settings.workstation.role, settings.vault.materials is Materials.CACHED,
                          settings.orders.ssl_ca, settings.paths, settings.vault.materials is Materials.SEALED)

    @property
    def backends_text(self) -> str:
        """Where cards and orders go, for status lines (no secrets), without building anything."""
        vault = self._settings.vault
        cards = (f"DynamoDB table {vault.table} ({vault.materials.value} KMS materials)"
                 if vault.backend is VaultBackend.DYNAMODB else f"local vault in {self._settings.paths.data_dir}")
        orders = self._settings.orders.url or f"SQLite in {self._settings.paths.data_dir}"
        return f"cards: {cards} · orders: {orders}"


@dataclass(frozen=True)
class Safeguards:
    """The settings that protect cards, beside those :class:`Services` names anyway."""

    role: WorkstationRole
    cached_materials: bool
    orders_ca: str | None
    paths: Paths
    sealed_materials: bool = False


def build(settings: Settings, *, orders_password: Callable[[str], str | None] = orders_password) -> Services:
    """The services of ``settings``; nothing is imported, opened or read until used. ``orders_password(url)``:
    the order database's password (default: POSAPP_ORDERS_PASSWORD or the keyring; the first-run dialog's
    Test connection gives the one typed, not stored yet)."""
    return Services(settings, orders_password)


def build_orders(settings: Settings, journal: JournalSetup | None = None, *,
                 password: Callable[[str], str | None] = orders_password) -> OrderStore:
    """A SqlOrderStore at ``[orders] url`` (default: orders.db in the data folder), with its TLS
    files, journalling as ``journal`` says; the password comes from ``password(url)`` (the keyring)
    when a connection opens. No I/O here."""
    from posapp.orders.sql import SqlOrderStore, Tls

    url = settings.orders.url or f"sqlite:///{settings.paths.data_dir / 'orders.db'}"
    tls = Tls(ca=settings.orders.ssl_ca, cert=settings.orders.ssl_cert, key=settings.orders.ssl_key)
    return SqlOrderStore(url, tls=tls, password=lambda: password(url), journal=journal)


def build_processor(settings: Settings) -> Processor:
    """The processor of ``[payments]``: none, or Stripe with the key from the environment or the keyring."""
    if settings.payments.processor is PaymentProcessor.NONE:
        from posapp.payments.none import NoProcessor

        return NoProcessor()
    from posapp.payments.base import KEY_SOURCES
    from posapp.payments.stripe_processor import StripeProcessor
    from posapp.secrets import stripe_key

    key = stripe_key()
    if not key:
        raise ConfigError(f"[payments] processor is stripe, but no Stripe API key was found in {KEY_SOURCES}")
    return StripeProcessor(key, api_base=settings.payments.api_base)
