"""The ``posapp`` command line: every command, option and help text, in one parser."""

from __future__ import annotations

import argparse
from typing import NoReturn
from pathlib import Path

from posapp import config
from posapp.access.roles import Role
from posapp.card import Brand
from posapp.cli.input import order_id, till_id, whole_number
from posapp.cli.output import OutputUnavailable, Stdout, drop_unwritable_stdout, for_terminal
from posapp.errors import ExitCode
from posapp.orders.base import PAGE_MAX
from posapp.orders.status import OrderStatus


AMOUNT_HELP = "amount as the merchant's locale writes it ([merchant] locale): 1,234.56 in en_US, 1.234,56 in de_DE"


class _VersionAction(argparse.Action):
    """Reads the version only when asked: package metadata is slow to load at every start."""

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import version

        try:
            Stdout().write(f"posapp {version('posapp')}\n")  # on stdout, as argparse's own version action does
            Stdout().flush()
        except OutputUnavailable as error:
            drop_unwritable_stdout()
            parser.exit(ExitCode.UNAVAILABLE, f"posapp: {error}\n")
        parser.exit()


ORDER_ID_HELP = "the order's number, as 'order list' shows it"
# What a script may do about each exit status (posapp.errors.ExitCode).
EXIT_CODES_HELP = """exit codes:
  0    done: everything asked was done and every check passed
  1    a fault in posapp (details in the log file): report it, retrying will not help
  2    refused input, settings or command line: fix it and run again (vault import: the refused lines)
  3    a backend, the disk or the output cannot be used now: retrying later may work
  4    stored data failed a check (tampered, missing, an older copy): restore, never retry blindly
  5    not signed in, a wrong or locked sign-in, or a role without the permission
  6    the processor declined the card: nothing was charged; ask for another card
  130  interrupted (Ctrl-C)"""


class _Parser(argparse.ArgumentParser):
    """Usage errors read as every other refusal: one line on stderr, exit 2.

    argparse repeats what it refuses ("unrecognized arguments: …"): a card typed there is masked."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        self.exit(ExitCode.BAD_INPUT, f"posapp: {for_terminal(message)} (see '{self.prog} --help')\n")


def _filter_options(command: argparse.ArgumentParser) -> None:
    """The filters of ``order list`` and ``order export``: --since and --until are business days."""
    command.add_argument("--search", metavar="TEXT",
                         help="text in the order name or description; 4 digits also match the card's last 4")
    command.add_argument("--since", metavar="YYYY-MM-DD", help="orders from this business day on ([merchant] timezone)")
    command.add_argument("--until", metavar="YYYY-MM-DD", help="orders up to and including this business day ([merchant] timezone)")
    command.add_argument("--last4", metavar="NNNN", help="cards ending in these 4 digits")
    command.add_argument("--brand", type=str.upper, choices=[brand.value for brand in Brand], metavar="BRAND",
                         help="one card brand: " + ", ".join(brand.value for brand in Brand))
    command.add_argument("--workstation", metavar="ID", help="orders taken at this till")
    command.add_argument("--operator", metavar="LOGIN", help="orders taken by this operator")
    command.add_argument("--status", choices=[status.value for status in OrderStatus], metavar="STATUS",
                         help="orders in one status: " + ", ".join(status.value for status in OrderStatus))


def build_parser() -> argparse.ArgumentParser:
    """The ``posapp`` parser: ``args.command`` and ``args.action`` name the command (None: the window).

    Its usage errors exit 2 with the offending text masked; ``--version`` exits 0 (3 if stdout fails)."""
    parser = _Parser(prog="posapp", description="posapp: card-safe point of sale and billing.",
                     epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show posapp's version and exit")
    parser.add_argument("--config", type=Path, metavar="PATH",
                        help="settings file (also POSAPP_CONFIG); overrides the machine and user files")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", help="open the posapp window (the default)")
    gui.add_argument("--smoke", action="store_true", help="build the main window and exit 0 (installation check)")

    order = commands.add_parser("order", help="record, look up, void, refund, capture and bill sales").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    new = order.add_parser("new", help="record one sale; the card is read from standard input")
    new.add_argument("--name", default="", help='order name (at most 255 bytes; default: recorded as "Sale")')
    new.add_argument("--description", help="order description (at most 255 bytes)")
    new.add_argument("--amount", required=True, help=AMOUNT_HELP)
    new.add_argument("--currency", help="ISO 4217 currency code (default: the till's, [merchant] currency)")
    new.add_argument("--idempotency-key", metavar="KEY",
                     help="the same key on a retry records the sale once (default: a new key per run)")
    new.add_argument("--card-stdin", action="store_true", required=True,
                     help="read 'PAN [MM/YY [CVC]]' or raw magnetic-stripe data from standard input")
    new.add_argument("--json", action="store_true", help="print the order as JSON")
    listing = order.add_parser("list", help="orders, newest first, cards masked")
    listing.add_argument("--limit", type=whole_number, default=50,
                         help=f"orders per page (1 to {PAGE_MAX}, default 50)")
    listing.add_argument("--before", type=order_id, metavar="ID", help="only orders older than order ID (next page)")
    _filter_options(listing)
    listing.add_argument("--totals", action="store_true",
                         help="also print how many orders the filter selects and the sum of its sales per currency")
    listing.add_argument("--json", action="store_true", help="print the page as JSON")
    export = order.add_parser("export", help="the orders the filters select, oldest first, as a new CSV file "
                                             "(back office): cards masked, safe to open in a spreadsheet")
    export.add_argument("--format", required=True, choices=["csv"], help="csv: RFC 4180, UTF-8 with a byte-order mark")
    export.add_argument("--out", type=Path, required=True, metavar="FILE", help="the new file (never overwritten)")
    _filter_options(export)
    show = order.add_parser("show", help="one order, card masked")
    show.add_argument("order_id", type=order_id, metavar="ID", help=ORDER_ID_HELP)
    show.add_argument("--json", action="store_true", help="print the order as JSON")
    void = order.add_parser("void", help="void an order recorded as card on file or an uncaptured authorization (a supervisor's; a cashier needs a supervisor's "
                                         "approval: POSAPP_SUPERVISOR and POSAPP_SUPERVISOR_SECRET, or a prompt)")
    void.add_argument("order_id", type=order_id, metavar="ID", help=ORDER_ID_HELP)
    void.add_argument("--json", action="store_true", help="print the voided order as JSON")
    refund = order.add_parser("refund", help="give back money of a paid order (a supervisor's; a cashier needs "
                                             "a supervisor's approval, as for void)")
    refund.add_argument("order_id", type=order_id, metavar="ID", help=ORDER_ID_HELP)
    refund.add_argument("--amount", help="how much (default: all that is left to refund); " + AMOUNT_HELP)
    refund.add_argument("--reason", metavar="TEXT", help="why, for the journal")
    refund.add_argument("--json", action="store_true", help="print the order as JSON")
    capture = order.add_parser("capture", help="take the money of an authorized order ([payments] capture = "
                                               "\"manual\")")
    capture.add_argument("order_id", type=order_id, metavar="ID", help=ORDER_ID_HELP)
    capture.add_argument("--amount", help="how much, at most what was authorized (default: all); " + AMOUNT_HELP)
    capture.add_argument("--json", action="store_true", help="print the order as JSON")
    billing = order.add_parser("charge", help="bill a stored card again as a new order (back office)")
    billing.add_argument("--token", required=True, help="the card's vault token, as an earlier order shows it")
    billing.add_argument("--amount", required=True, help=AMOUNT_HELP)
    billing.add_argument("--currency", help="ISO 4217 currency code (default: the till's)")
    billing.add_argument("--name", required=True, help="order name (at most 255 bytes)")
    billing.add_argument("--reason", metavar="TEXT", help="why the card is billed, for the order and the journal")
    billing.add_argument("--json", action="store_true", help="print the order as JSON")

    receipt = commands.add_parser("receipt", help="an order's receipt, card masked; every receipt after the "
                                                  "first of an order says COPY")
    receipt.add_argument("order_id", type=order_id, metavar="ID", help=ORDER_ID_HELP)
    receipt.add_argument("--format", required=True, choices=["pdf", "text", "escpos"],
                         help="a one-page PDF 80 mm wide, plain text, or ESC/POS for a thermal receipt printer")
    receipt.add_argument("--out", type=Path, metavar="FILE",
                         help="a new file to write it to (never overwritten); without it text goes to standard "
                              "output and escpos to the receipt printer of [receipts] printer; a PDF needs it")
    receipt.add_argument("--copy", action="store_true", help="say COPY even if no receipt of the order was issued yet")

    payments = commands.add_parser("payments", help="the card processor's side of the orders").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    recovering = payments.add_parser("recover", help="settle pending orders by asking the processor what "
                                                     "happened (never charges again)")
    recovering.add_argument("--json", action="store_true", help="print the settled and pending orders as JSON")

    vault = commands.add_parser(
        "vault", help="verify, reconcile, import, re-key and purge the card vault").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    verify = vault.add_parser("verify", help="check the signatures of vault items (no card is shown)")
    targets = verify.add_mutually_exclusive_group(required=True)
    targets.add_argument("--all", action="store_true", help="every item in the vault")
    targets.add_argument("tokens", nargs="*", default=[], metavar="TOKEN",
                         help="the vault tokens of the items to check, as orders show them")

    reconcile = vault.add_parser("reconcile", help="remove vault items that no order references")
    reconcile.add_argument("--grace", type=whole_number, default=60, metavar="MINUTES",
                           help="remove an unreferenced item only on a run at least this long after the run "
                                "that first saw it (10 minutes to 366 days; default 60)")
    reconcile.add_argument("--dry-run", action="store_true", help="count what would be removed, remove nothing")
    reconcile.add_argument("--accept-restored-history", action="store_true",
                           help="after restoring the order history from a backup on purpose: take it as the "
                                "vault's from now on (removes nothing on this run)")

    importing = vault.add_parser("import", help="tokenize a legacy card file: one NUMBER[,MM/YY] per line")
    importing.add_argument("cards", type=Path, metavar="CARDS.csv", help="the card file (read, never changed)")
    importing.add_argument("--out", type=Path, required=True, metavar="TOKENS.csv",
                           help="new file for line,token,brand,last4 in input order (never overwritten)")

    rekey = vault.add_parser("rekey", help="re-encrypt every card under a new key, same tokens (administrators; "
                                           "resumes an interrupted run)")
    rekey.add_argument("--to-key", metavar="ARN", help="the new KMS key (DynamoDB vault); the local vault makes new "
                                                      "local keys without it")
    vault.add_parser("rotate-materials", help="start a new cached-material version in the meta store (DynamoDB "
                                              "vault with cached materials)")
    purging = vault.add_parser("purge", help="remove the cards whose retention ended ([vault] retention_days)")
    purging.add_argument("--dry-run", action="store_true", help="count what would be removed, remove nothing")

    operator = commands.add_parser("operator", help="the operators who sign in (administrators)").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    secret_help = " (the secret is typed twice at a hidden prompt, or read from POSAPP_NEW_SECRET)"
    add = operator.add_parser("add", help="add an operator" + secret_help)
    add.add_argument("login", metavar="LOGIN", help="1 to 64 letters, digits, '.', '_', '-' or '@'")
    add.add_argument("--role", required=True, choices=[role.value for role in Role],
                     help="what the operator may do: " + ", ".join(role.value for role in Role))
    add.add_argument("--name", metavar="TEXT", help="the name shown for the operator (default: the login)")
    operators = operator.add_parser("list", help="every operator, its role and state (never a secret)")
    operators.add_argument("--json", action="store_true", help="print the operators as JSON")
    for action, text in (("disable", "stop an operator from signing in"),
                         ("enable", "let a disabled operator sign in again"),
                         ("reset", "give an operator a new secret, ending its lockout" + secret_help),
                         ("unlock", "end an operator's lockout after failed sign-ins")):
        operator.add_parser(action, help=text).add_argument("login", metavar="LOGIN", help="the operator's login")

    till = commands.add_parser("till", help="the tills whose signed cards back office trusts (administrators)"
                               ).add_subparsers(dest="action", metavar="ACTION", required=True)
    registering = till.add_parser("register", help="run on the till: make its signing key if it holds none and "
                                                   "publish the public key beside the vault (again: harmless)")
    registering.add_argument("--till-id", type=till_id, metavar="ID",
                             help="the till's id (default: this workstation's, [workstation] id)")
    revoking = till.add_parser("revoke", help="withdraw every key of a till: back office then refuses every card "
                                              "item it signed")
    revoking.add_argument("till_id", type=till_id, metavar="TILL_ID", help="the till's id, as 'posapp till list' shows it")
    registered = till.add_parser("list", help="every registered till key: till, key id, when registered and revoked")
    registered.add_argument("--json", action="store_true", help="print the keys as JSON (times in UTC)")

    report = commands.add_parser("report", help="the day's report and its close (Z report)").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    day = report.add_parser("day", help="a business day's totals at one till (or every till), and its close")
    day.add_argument("--date", metavar="YYYY-MM-DD",
                     help="the merchant's business day, in [merchant] timezone (default: today there)")
    tills = day.add_mutually_exclusive_group()
    tills.add_argument("--workstation", metavar="ID", help="the till (default: this one)")
    tills.add_argument("--all-tills", action="store_true", help="every till together (a reading: not closed)")
    shapes = day.add_mutually_exclusive_group()
    shapes.add_argument("--json", action="store_true", help="print the report as JSON")
    shapes.add_argument("--pdf", metavar="FILE", help="write the report to this new PDF file (never written over)")
    day.add_argument("--close", action="store_true",
                     help="close the day of that till (once: a Z report; later runs print a reprint)")

    audit = commands.add_parser("audit", help="read and verify the audit journal").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    entries = audit.add_parser("list", help="journal entries, by workstation and sequence number")
    entries.add_argument("--since", metavar="YYYY-MM-DD",
                         help="entries from this business day on ([merchant] timezone)")
    entries.add_argument("--until", metavar="YYYY-MM-DD",
                         help="entries up to and including this business day ([merchant] timezone)")
    entries.add_argument("--operator", metavar="LOGIN", help="entries of this operator")
    entries.add_argument("--action", dest="journal_action", metavar="NAME",
                         help="entries of this action, e.g. sale, sign-in, void")
    entries.add_argument("--workstation", metavar="ID", help="entries of this till")
    entries.add_argument("--json", action="store_true", help="print the entries as JSON")
    audit.add_parser("verify", help="check every journal chain; exit 4 naming the first broken entry")

    commands.add_parser("provision", help="create the vault's keys and tables and the order schema")
    doctor = commands.add_parser("doctor", help="check configuration, credentials and backends; one line per check")
    doctor.add_argument("--pci", action="store_true", help="the PCI DSS self-check, with a search for card numbers "
                        "in posapp's files and order database; exit 4 when a check FAILs")
    doctor.add_argument("--json", action="store_true", help="with --pci: print the checks as JSON")

    setup = commands.add_parser("setup", help="write this workstation's settings, keep the database password in "
                                              "the system keyring, then run the doctor's checks")
    setup.add_argument("--system", action="store_true",
                       help="write the machine-wide file for every user of this till (administrator rights)")
    setup.add_argument("--workstation-id", required=True, metavar="ID", help="name of this till, e.g. till-01")
    setup.add_argument("--workstation-role", choices=[role.value for role in config.WorkstationRole],
                       help="the AWS role this workstation's credentials hold (default: till)")
    setup.add_argument("--vault-backend", choices=[backend.value for backend in config.VaultBackend],
                       help="where cards are kept: this till's own file, or the DynamoDB table tills share")
    setup.add_argument("--vault-table", metavar="NAME", help="the DynamoDB vault table")
    setup.add_argument("--vault-region", metavar="REGION", help="the AWS region of the vault table, e.g. eu-west-1")
    setup.add_argument("--vault-endpoint-url", metavar="URL", help="another DynamoDB and KMS endpoint (tests)")
    setup.add_argument("--kms-key-id", metavar="ARN", help="the full ARN of the KMS key that protects the cards "
                                                           "(an RSA_3072 key with --vault-materials sealed)")
    setup.add_argument("--vault-materials", choices=[materials.value for materials in config.Materials],
                       help="how item keys are made: a KMS data key per card (direct), versions kept in a table "
                            "(cached), or sealed for back office with no KMS call (sealed)")
    setup.add_argument("--orders-url", metavar="URL", help="mysql+pymysql://USER@HOST:PORT/DATABASE")
    setup.add_argument("--ssl-ca", metavar="PATH", help="CA bundle of the MySQL server's certificate (turns TLS on)")
    setup.add_argument("--ssl-cert", metavar="PATH", help="client certificate, where the MySQL server asks for one")
    setup.add_argument("--ssl-key", metavar="PATH", help="the client certificate's private key")
    setup.add_argument("--orders-password-stdin", action="store_true",
                       help="read the database password from standard input instead of asking for it")
    return parser
