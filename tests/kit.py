"""The tests' one kit: cards, sales, orders, vaults and tills, made the same way everywhere.

Fixtures built from these live in tests/conftest.py. Card numbers come from tests/cardgen.py
(fresh random ones unless a test names its own); nothing here is a real card.
"""

import contextlib
import dataclasses
import datetime
import uuid

from awstest import REGION
from cardgen import random_pan
from mariadbtest import POS_PASSWORD, POS_USER

from posapp import pairing
from posapp.access.roles import Role, SignedIn
from posapp.audit_trail import Anchoring
from posapp.card import Brand, Card, Expiry, Pan
from posapp.checkout import CheckoutService, Sale
from posapp.clock import utc_now
from posapp.money import Money
from posapp.orders import NewOrder
from posapp.orders.base import JournalSetup

NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.timezone.utc)
# Operators as a service sees them once signed in (the sign-in itself is tested on its own).
CASHIER = SignedIn("cashier-1", "Cashier One", Role.CASHIER)
SUPERVISOR = SignedIn("supervisor-1", "Supervisor One", Role.SUPERVISOR)
BACKOFFICE = SignedIn("bo", "Back Office", Role.BACKOFFICE)
ADMIN = SignedIn("admin-1", "Admin One", Role.ADMIN)
AUDIT_KEY = bytes(range(32))  # the journal key of stores that journal without a vault


def journal_setup(vault=None, *, workstation: str = "till-01", clock=utc_now) -> JournalSetup:
    """How a test store journals: with ``vault``'s audit key and anchors, as a till does, or with
    AUDIT_KEY and no anchors."""
    if vault is None:
        return JournalSetup(workstation, key=lambda: AUDIT_KEY, committed=lambda entry, journal: None, clock=clock)
    return JournalSetup(workstation, key=vault.audit_key, committed=Anchoring(lambda: vault), clock=clock)
FAR_EXPIRY = Expiry(12, 2099)


def card(number: str | None = None, expiry: Expiry | None = FAR_EXPIRY, *, prefix: str = "4",
         length: int = 16) -> Card:
    """A card with ``number`` or a fresh random one of ``prefix`` and ``length``."""
    return Card(Pan.parse(number or random_pan(prefix, length)), expiry)


def sale(name: str = "Coffee", number: str | None = None, *, expiry: Expiry | None = FAR_EXPIRY,
         **changes) -> Sale:
    """A 3.50 USD sale of ``name`` on ``number`` (or a fresh card); ``changes`` override any field."""
    values = {"name": name, "description": None, "amount": Money(350, "USD"), "card": card(number, expiry)}
    return Sale(**{**values, **changes})


def sell(checkout, name: str = "Coffee", number: str | None = None, **changes):
    """One sale through a CheckoutService (or anything with a ``checkout`` service); the order."""
    service = checkout if isinstance(checkout, CheckoutService) else checkout.checkout
    if not isinstance(service, CheckoutService):  # the Services of a till: its checkout for a cashier
        service = service(CASHIER)
    return service.checkout(sale(name, number, **changes))


def new_order(name: str = "Coffee", description: str | None = None, **changes) -> NewOrder:
    """An order as the checkout hands it to the order store: 3.50 USD on a VISA •••• 4242."""
    values = dict(name=name, description=description, amount=Money(350, "USD"), token=str(uuid.uuid4()),
                  card_brand=Brand.VISA, card_last4="4242", workstation="till-01", created_at=NOW,
                  idempotency_key=str(uuid.uuid4()))
    return NewOrder(**{**values, **changes})


def local_vault(folder, *, key_name: str = "local-vault.key", clock=None, workstation: str = "till-01"):
    """The local vault under ``folder`` (vault.db, keys/``key_name``), as a till has it."""
    from posapp.vault.local import LocalVault

    options = {"clock": clock} if clock is not None else {}
    return LocalVault(folder / "vault.db", folder / "keys" / key_name, workstation=workstation, **options)


@dataclasses.dataclass(frozen=True)
class DynamoDbPlace:
    """Where a test's DynamoDB vault lives: a fresh table (moto), its KMS key and materials."""

    key_arn: str
    materials: str = "direct"  # or "cached": keys in the table's meta table
    endpoint_url: str | None = None
    table: str = dataclasses.field(default_factory=lambda: f"vault-{uuid.uuid4().hex[:12]}")

    @property
    def meta_table(self) -> str:
        return f"{self.table}-meta"

    @property
    def cached(self):
        from posapp.vault.dynamodb import CachedMaterials

        return CachedMaterials(self.meta_table, 300.0) if self.materials == "cached" else None

    def clients(self):
        from posapp.vault.aws import AwsClients

        return AwsClients.connect(region=REGION, kms_key_id=self.key_arn, endpoint_url=self.endpoint_url)

    def vault(self, clients, **options):
        """A vault object on this table (not provisioned)."""
        from posapp.vault.dynamodb import DynamoDbVault

        return DynamoDbVault(self.table, self.key_arn, clients, cached=self.cached, **options)


def dynamodb_vault(place: DynamoDbPlace, *, clock=None, workstation: str = "till-01"):
    """(vault, clients) on ``place``; the table is provisioned."""
    clients = place.clients()
    options = {"clock": clock} if clock is not None else {}
    vault = place.vault(clients, workstation=workstation, **options)
    vault.provision()
    return vault, clients


def order_store(url: str, password: str | None = POS_PASSWORD, *, vault=None, workstation: str = "till-01"):
    """The order store at ``url`` of ``workstation``, journalling with ``vault``'s audit key (or AUDIT_KEY)."""
    from posapp.orders.sql import SqlOrderStore

    return SqlOrderStore(url, password=lambda: password, journal=journal_setup(vault, workstation=workstation))


class AwsTill:
    """One till's real services on a fresh DynamoDB vault table (KMS in moto) and a fresh MariaDB
    database, paired as ``posapp provision`` pairs them, with a settable clock."""

    def __init__(self, key_arn, database, mariadb, *, materials: str = "direct", start=NOW):
        self.now = start
        self.place = DynamoDbPlace(key_arn, materials)
        self.vault, self.clients = dynamodb_vault(self.place, clock=lambda: self.now)
        self.orders = order_store(database.url, vault=self.vault)
        pairing.provision(self.vault, self.orders)
        self.checkout = CheckoutService(self.vault, self.orders, workstation="till-01", operator=CASHIER,
                                        clock=lambda: self.now)
        self.mariadb, self.database = mariadb, database

    def sql(self, statement):
        return self.mariadb.execute(statement, database=self.database.name)

    def vault_tokens(self):
        return {entry.token for entry in self.vault.entries()}

    def order_tokens(self):
        return {row[0] for row in self.sql("SELECT AWS_PA_Token FROM OrderHistory")}

    @contextlib.contextmanager
    def deletes_denied(self):
        """Meanwhile DynamoDB refuses DeleteItem, as an IAM policy without dynamodb:DeleteItem would."""
        events = self.clients.dynamodb.meta.events
        events.register("before-call.dynamodb.DeleteItem", _deny)
        try:
            yield
        finally:
            events.unregister("before-call.dynamodb.DeleteItem", _deny)

    def drop_order_connections(self):
        """The server ends every connection of this till's database user, as a restart would."""
        for (thread,) in self.mariadb.execute("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = %s "
                                              "AND USER = %s", self.database.name, POS_USER):
            self.mariadb.execute(f"KILL {thread}")

    def refuse_order_inserts(self, message: str = "disk full"):
        """The server refuses every order insert (a trigger), as a full disk would."""
        self.sql("CREATE TRIGGER refuse BEFORE INSERT ON OrderHistory FOR EACH ROW "
                 f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{message}'")


def lose_first_answer(client, operation, *, times=1):
    """The first ``times`` attempts of ``operation`` reach moto and are applied; their answers are lost."""
    import botocore.exceptions
    from moto.core.models import botocore_stubber

    lost = []

    def forward_then_time_out(request, event_name, **kwargs):
        if len(lost) < times:
            lost.append(botocore_stubber(event_name=event_name, request=request))
            raise botocore.exceptions.ReadTimeoutError(endpoint_url=request.url)

    client.meta.events.register(f"before-send.dynamodb.{operation}", forward_then_time_out)
    return lost


def _deny(**_request):
    from botocore.awsrequest import AWSResponse

    error = {"Error": {"Code": "AccessDeniedException", "Message": "denied"}, "ResponseMetadata": {}}
    return AWSResponse("https://dynamodb", 400, {}, None), error


def vault_tokens(services) -> list[str]:
    """The tokens of every card item in a vault (or in the vault of ``services``), sorted."""
    vault = getattr(services, "vault", services)
    return sorted(entry.token for entry in vault.entries())


def stored_orders(services):
    return services.orders.page(limit=500).orders


def cli_sale(run, card_line: str | None = None, *extra: str, name: str = "Coffee", amount: str = "3.50",
             **options):
    """``posapp order new`` through ``run`` (a posapp-running fixture) with ``card_line`` on stdin
    (a fresh random VISA when None); the finished run, whatever its exit code."""
    line = random_pan("4", 16) if card_line is None else card_line
    return run("order", "new", "--name", name, "--amount", amount, "--card-stdin", *extra, stdin=line + "\n",
               **options)
