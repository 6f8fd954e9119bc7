"""The ``posapp`` command: every action that matters, headless, over the same services.

Card data is read only from standard input (or the terminal, without echo), never from
arguments, the environment or a file named on the command line.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import errno
import getpass
import json
import logging
import os
import sys
from pathlib import Path
from typing import TextIO

from posapp import config, logs
from posapp.card import MAX_INPUT, Brand, parse_card_input
from posapp.cli_input import order_id, read_line, whole_number
from posapp.checkout import Sale
from posapp.errors import ExitCode, IntegrityFailure, InvalidInput, NotFound, Unavailable, describe
from posapp.money import Money
from posapp.orders import Order, OrderFilter
from posapp.orders.base import PAGE_MAX

log = logging.getLogger(__name__)

CARD_PROMPT = "Card (number and MM/YY, or swipe): "


class _VersionAction(argparse.Action):
    """Reads the version only when asked: package metadata is slow to load at every start."""

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import version

        print(f"posapp {version('posapp')}")  # on stdout, as argparse's own version action does
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse repeats what it refuses ("unrecognized arguments: …"): a card typed there is masked."""

    def error(self, message: str):  # type: ignore[override]
        super().error(logs.redact(message))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="posapp", description="posapp: card-safe point of sale and billing.")
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show posapp's version and exit")
    parser.add_argument("--config", type=Path, metavar="PATH",
                        help="settings file (also POSAPP_CONFIG); overrides the machine and user files")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", help="open the posapp window (the default)")
    gui.add_argument("--smoke", action="store_true", help="build the main window and exit 0 (installation check)")

    order = commands.add_parser("order", help="record and look up sales").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    new = order.add_parser("new", help="record one sale; the card is read from standard input")
    new.add_argument("--name", required=True, help="order name (at most 255 bytes)")
    new.add_argument("--description", help="order description (at most 255 bytes)")
    new.add_argument("--amount", required=True, help="amount, like 12.34")
    new.add_argument("--currency", default="USD", help="ISO 4217 currency code (default USD)")
    new.add_argument("--idempotency-key", metavar="KEY",
                     help="the same key on a retry records the sale once (default: a new key per run)")
    new.add_argument("--card-stdin", action="store_true", required=True,
                     help="read 'PAN [MM/YY]' or raw magnetic-stripe data from standard input")
    new.add_argument("--json", action="store_true", help="print the order as JSON")
    listing = order.add_parser("list", help="orders, newest first, cards masked")
    listing.add_argument("--limit", type=whole_number, default=50, help=f"orders per page (1 to {PAGE_MAX}, default 50)")
    listing.add_argument("--before", type=order_id, metavar="ID", help="only orders older than order ID (next page)")
    listing.add_argument("--search", metavar="TEXT", help="text in the order name or description")
    listing.add_argument("--since", metavar="YYYY-MM-DD", help="orders from this day on (UTC)")
    listing.add_argument("--until", metavar="YYYY-MM-DD", help="orders up to and including this day (UTC)")
    listing.add_argument("--last4", metavar="NNNN", help="cards ending in these 4 digits")
    listing.add_argument("--brand", type=str.upper, choices=[brand.value for brand in Brand], metavar="BRAND",
                         help="one card brand: " + ", ".join(brand.value for brand in Brand))
    listing.add_argument("--workstation", metavar="ID", help="orders taken at this till")
    listing.add_argument("--json", action="store_true", help="print the page as JSON")
    show = order.add_parser("show", help="one order, card masked")
    show.add_argument("order_id", type=order_id, metavar="ID")
    show.add_argument("--json", action="store_true", help="print the order as JSON")

    vault = commands.add_parser("vault", help="check the card vault").add_subparsers(
        dest="action", metavar="ACTION", required=True)
    verify = vault.add_parser("verify", help="check the signatures of vault items (no card is shown)")
    targets = verify.add_mutually_exclusive_group(required=True)
    targets.add_argument("--all", action="store_true", help="every item in the vault")
    targets.add_argument("tokens", nargs="*", default=[], metavar="TOKEN")

    reconcile = vault.add_parser("reconcile", help="remove vault items that no order references")
    reconcile.add_argument("--grace", type=whole_number, default=60, metavar="MINUTES",
                           help="remove an unreferenced item only on a run at least this long after the run "
                                "that first saw it (10 minutes to 366 days; default 60)")
    reconcile.add_argument("--dry-run", action="store_true", help="count what would be removed, remove nothing")

    importing = vault.add_parser("import", help="tokenize a legacy card file: one NUMBER[,MM/YY] per line")
    importing.add_argument("cards", type=Path, metavar="CARDS.csv", help="the card file (read, never changed)")
    importing.add_argument("--out", type=Path, required=True, metavar="TOKENS.csv",
                           help="new file for line,token,brand,last4 in input order (never overwritten)")

    commands.add_parser("provision", help="create the vault's keys and tables and the order schema")
    commands.add_parser("doctor", help="check configuration, credentials and backends; one line per check")

    setup = commands.add_parser("setup", help="write this workstation's settings, keep the database password in "
                                              "the system keyring, then run the doctor's checks")
    setup.add_argument("--system", action="store_true",
                       help="write the machine-wide file for every user of this till (administrator rights)")
    setup.add_argument("--workstation-id", required=True, metavar="ID", help="name of this till, e.g. till-01")
    setup.add_argument("--vault-backend", choices=[backend.value for backend in config.VaultBackend])
    setup.add_argument("--vault-table", metavar="NAME")
    setup.add_argument("--vault-region", metavar="REGION")
    setup.add_argument("--vault-endpoint-url", metavar="URL")
    setup.add_argument("--kms-key-id", metavar="ARN")
    setup.add_argument("--vault-materials", choices=[materials.value for materials in config.Materials])
    setup.add_argument("--orders-url", metavar="URL", help="mysql+pymysql://USER@HOST:PORT/DATABASE")
    setup.add_argument("--ssl-ca", metavar="PATH")
    setup.add_argument("--ssl-cert", metavar="PATH")
    setup.add_argument("--ssl-key", metavar="PATH")
    setup.add_argument("--orders-password-stdin", action="store_true",
                       help="read the database password from standard input instead of asking for it")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    log_file = logs.setup(config.Paths.from_env(os.environ).log_dir)
    try:
        if args.command == "setup":  # before loading: the settings it replaces may be broken
            return setup(args, sys.stdout)
        settings = config.load(args.config)
        if args.command in (None, "gui"):
            from posapp.ui.application import run  # Qt loads only for the window

            return run(settings, smoke=getattr(args, "smoke", False), explicit=args.config)
        from posapp import app

        services = app.build(settings)
        out = _Stdout()
        code = COMMANDS[(args.command, getattr(args, "action", None))](services, args, out)
        out.flush()  # here, not at exit, so that a full disk gets a sentence
        return code
    except BrokenPipeError:
        # The reader went away (``posapp order list | head``): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except Exception as error:
        message, code = describe(error)
        if code is ExitCode.INTERNAL:
            log.error("unexpected error", exc_info=error)
            message += f" ({log_file})" if log_file else " (none is written: see the warning above)"
        _drop_unwritable_stdout()
        message = logs.redact(message)
        print(f"posapp: {message}", file=sys.stderr)
        if args.command in (None, "gui") and not getattr(args, "smoke", False):
            from posapp.ui.application import show_startup_error

            show_startup_error(message)
        return code


def _drop_unwritable_stdout() -> None:
    """Send what is left for a full or closed stdout to nowhere, so exit adds no traceback."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class OutputUnavailable(Unavailable):
    """Standard output cannot be written (a full disk, a closed file)."""


class _Stdout:
    """``sys.stdout`` for the commands, whose write errors say that it was the output that failed."""

    def write(self, text: str) -> int:
        with self._errors():
            return sys.stdout.write(text)

    def flush(self) -> None:
        with self._errors():
            sys.stdout.flush()

    @staticmethod
    @contextlib.contextmanager
    def _errors():
        try:
            yield
        except BrokenPipeError:
            raise
        except OSError as error:
            raise OutputUnavailable(f"standard output cannot be written: {error.strerror or error}") from None


def _read_card_line() -> str:
    if sys.stdin is None:
        raise InvalidInput("no card data: pass it on standard input")
    line = getpass.getpass(CARD_PROMPT) if sys.stdin.isatty() else read_line(sys.stdin, MAX_INPUT, "card input")
    if not line.strip():
        raise InvalidInput("no card data on standard input")
    return line


def order_new(services, args, out: TextIO) -> int:
    amount = Money.parse(args.amount, args.currency)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    card = parse_card_input(_read_card_line(), today)
    retry_of = {"idempotency_key": args.idempotency_key} if args.idempotency_key is not None else {}
    sale = Sale(args.name, args.description, amount, card, **retry_of)
    order = services.checkout.checkout(sale)
    try:
        if args.json:
            _print_json(out, order_json(order))
        else:
            print(f"Order {order.id} recorded: {order.amount} on {order.card_masked}", file=out)
        out.flush()
    except Exception as error:
        # The sale is recorded: a script that read "failed" would sell it again.
        raise SaleRecordedButNotShown(order, error) from None
    return ExitCode.OK


class SaleRecordedButNotShown(Unavailable):
    def __init__(self, order: Order, error: Exception):
        super().__init__(f"order {order.id} WAS recorded ({order.amount} on {order.card_masked}); do not sell "
                         f"it again. Its confirmation was not shown: {describe(error)[0]}")


def order_list(services, args, out: TextIO) -> int:
    if not 1 <= args.limit <= PAGE_MAX:
        raise InvalidInput(f"--limit must be between 1 and {PAGE_MAX}")
    where = OrderFilter(text=args.search, since=_day(args.since, "--since"),
                        until=_day(args.until, "--until", next_day=True), last4=args.last4,
                        brand=Brand(args.brand) if args.brand else None, workstation=args.workstation)
    page = services.orders.page(before=args.before, limit=args.limit, where=where)
    if args.json:
        _print_json(out, {"orders": [order_json(order) for order in page.orders], "next_before": page.next_before})
        return ExitCode.OK
    if not page.orders:
        print("No orders.", file=out)
    for order in page.orders:
        print(f"{order.id:>8}  {_when(order):16}  {_amount(order):>16}  {order.card_masked:20}  {order.name or ''}",
              file=out)
    if page.next_before is not None:
        print(f"More: posapp order list --before {page.next_before}", file=out)
    return ExitCode.OK


def _day(text: str | None, option: str, *, next_day: bool = False) -> datetime.datetime | None:
    """Midnight UTC starting the given day (or the day after, for an inclusive end)."""
    if text is None:
        return None
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{option} takes a date like 2026-11-29") from None
    start = datetime.datetime.combine(day, datetime.time(), datetime.timezone.utc)
    return start + datetime.timedelta(days=1) if next_day else start


def order_show(services, args, out: TextIO) -> int:
    order = services.orders.get(args.order_id)
    if args.json:
        _print_json(out, order_json(order))
        return ExitCode.OK
    for label, value in (("Order", order.id), ("Name", order.name), ("Description", order.description),
                         ("Amount", _amount(order)), ("Card", order.card_masked), ("Token", order.token),
                         ("Time (UTC)", _when(order)), ("Workstation", order.workstation)):
        print(f"{label + ':':13}{value if value is not None else ''}", file=out)
    return ExitCode.OK


VERIFY_PROGRESS_EVERY = 1000


def vault_verify(services, args, out: TextIO) -> int:
    from posapp.verification import OrderCards

    if args.all:
        services.paired()  # the orders checked must be those of this vault's cards
    tokens = (entry.token for entry in services.vault.entries()) if args.all else args.tokens
    checked, failures = 0, []
    for token in tokens:
        checked += 1
        if checked % VERIFY_PROGRESS_EVERY == 0:
            print(f"posapp: checked {checked} vault items…", file=sys.stderr, flush=True)
        try:
            services.vault.verify(token)
        except (IntegrityFailure, NotFound) as error:
            failures.append(error)
            print(f"posapp: {describe(error)[0]}", file=sys.stderr)
    what = _count(checked, "vault item")
    if args.all:  # an order whose item was deleted is not in the vault walk
        orders = OrderCards(services.vault, services.orders)
        for missing in orders.missing():
            failures.append(missing)
            print(f"posapp: {missing}", file=sys.stderr)
        what += f" and {_count(orders.checked, 'order')}"
    if not failures:
        print(f"Checked {what}: all intact.", file=out)
        return ExitCode.OK
    print(f"Checked {what}: {len(failures)} failed.", file=out)
    return max(describe(error)[1] for error in failures)


def vault_reconcile(services, args, out: TextIO) -> int:
    from posapp.reconcile import grace_minutes, reconcile

    from posapp import import_journal

    grace = grace_minutes(args.grace)
    services.paired()  # never against an order history that is not the vault's own
    if not args.dry_run:
        _report_recovery(services, import_journal.recover(services.vault,
                                                          workstation=services.settings.workstation.id))
    report = reconcile(services.vault, services.orders, grace=grace, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    imported = f", {report.imported} imported (kept)" if report.imported else ""
    noted = (f"{report.noted} newly unreferenced ({'would be ' if args.dry_run else ''}noted: removed by a run "
             f"at least {args.grace} minutes from now if still unreferenced)")
    print(f"Checked {_count(report.checked, 'vault item')}: {report.referenced} referenced by orders{imported}, "
          f"{noted}, {report.waiting} waiting for their grace period, {verb} {report.removed}.", file=out)
    return ExitCode.OK


def vault_import(services, args, out: TextIO) -> int:
    from posapp import import_journal
    from posapp.card_import import Imported, bounded_lines, import_cards, open_card_file

    if args.out.resolve() == args.cards.resolve():
        raise InvalidInput("--out must name a new file, not the card file")
    cards, size = open_card_file(args.cards)
    try:
        _check_creatable(args.out)  # before anything is stored
    except InvalidInput:
        cards.close()
        raise
    _report_recovery(services, import_journal.recover(services.vault, workstation=services.settings.workstation.id))
    imported = refused = 0
    progress = _Progress(size)
    with cards, _creating(args.out):
        with import_journal.run(services.vault, args.out, workstation=services.settings.workstation.id) as run:
            rows = csv.writer(run.file)
            rows.writerow(["line", "token", "brand", "last4"])
            today = datetime.datetime.now(datetime.timezone.utc).date()
            for result in import_cards(services.vault, bounded_lines(cards), today=today,
                                       import_id=run.record.import_id):
                if isinstance(result, Imported):
                    run.tokens.append(result.token)
                    rows.writerow([result.line, result.token, result.brand.value, result.last4])
                    imported += 1
                else:
                    print(f"posapp: line {result.line}: {result.reason}", file=sys.stderr)
                    refused += 1
                progress.show(result.line, os.lseek(cards.fileno(), 0, os.SEEK_CUR))  # ahead by a buffer at most
    progress.done()
    print(f"Imported {_count(imported, 'card')} into the vault; {_count(refused, 'line')} refused. "
          f"Tokens in {args.out}.", file=out)
    return ExitCode.BAD_INPUT if refused else ExitCode.OK


def _check_creatable(path: Path) -> None:
    if path.exists():
        raise InvalidInput(f"{path} exists already: name a new file for the tokens")
    folder = path.parent
    if not folder.exists():
        raise InvalidInput(f"{path} cannot be created: no folder {folder}")
    if not folder.is_dir():
        raise InvalidInput(f"{path} cannot be created: {os.strerror(errno.ENOTDIR)}")
    probe = folder / f".{path.name}.posapp-probe-{os.getpid()}"
    try:  # the only sure test of a folder's permissions, read-only mounts and quotas
        probe.open("x").close()
        probe.unlink()
    except OSError as error:
        raise InvalidInput(f"{path} cannot be created: {error.strerror or error}") from None


@contextlib.contextmanager
def _creating(path: Path):
    """Turns a tokens file that cannot be made into one line for the user."""
    try:
        yield
    except FileExistsError:
        raise InvalidInput(f"{path} exists already: name a new file for the tokens") from None
    except OSError as error:
        if error.filename is None or Path(error.filename).parent != path.parent:
            raise
        reason = f"no folder {path.parent}" if isinstance(error, FileNotFoundError) else error.strerror
        raise InvalidInput(f"{path} cannot be created: {reason or error}") from None


def _report_recovery(services, recovery) -> None:
    if recovery.rolled_back:
        print(f"posapp: {_count(recovery.rolled_back, 'interrupted import')} taken back: "
              f"{_count(recovery.cards_removed, 'card')} removed from the vault; run them again", file=sys.stderr)
    if recovery.finished:
        print(f"posapp: {_count(recovery.finished, 'interrupted import')} had finished writing its tokens file; "
              "it is complete", file=sys.stderr)


PROGRESS_BYTES_FROM = 20_000  # about 1,000 lines: smaller files finish before anyone wonders


class _Progress:
    """A bar on a terminal; a line every tenth of the file otherwise (logs, pipes). Measured in
    bytes: the file is read once, so its lines are not counted ahead."""

    def __init__(self, size: int):
        self._size = max(size, 1)
        self._tty = sys.stderr.isatty()
        self._shown = -1

    def show(self, line: int, done: int) -> None:
        done = min(done, self._size)
        tenth = done * 10 // self._size
        if self._tty:
            filled = done * 30 // self._size
            print(f"\r[{'#' * filled}{' ' * (30 - filled)}] {done * 100 // self._size}% read, at line {line}",
                  end="", file=sys.stderr)
        elif self._size >= PROGRESS_BYTES_FROM and tenth != self._shown and tenth < 10:
            print(f"posapp: {tenth * 10}% of the card file read", file=sys.stderr)
        self._shown = tenth

    def done(self) -> None:
        if self._tty:
            print(file=sys.stderr)


def provision(services, args, out: TextIO) -> int:
    services.provision()
    print(f"Ready: {services.backends_text}", file=out)
    return ExitCode.OK


def setup(args: argparse.Namespace, out: TextIO) -> int:
    paths = config.Paths.from_env(os.environ)
    target = args.config or (config.machine_config_file() if args.system else paths.user_config_file)
    values = {
        "workstation": {"id": args.workstation_id},
        "vault": {"backend": args.vault_backend, "table": args.vault_table, "region": args.vault_region,
                  "endpoint_url": args.vault_endpoint_url, "kms_key_id": args.kms_key_id,
                  "materials": args.vault_materials},
        "orders": {"url": args.orders_url, "ssl_ca": args.ssl_ca, "ssl_cert": args.ssl_cert, "ssl_key": args.ssl_key},
    }
    config.check(target, values)  # a mistake is reported before anything is asked or written
    needs_password = bool(args.orders_url and args.orders_url.startswith("mysql"))
    password = _read_orders_password(from_stdin=args.orders_password_stdin) if needs_password else None
    config.save(target, values)
    print(f"Settings written to {target}", file=out)
    if password is not None:
        _store_orders_password(args.orders_url, password)
        print("The order database password is in the system keyring.", file=out)
    from posapp import app

    return doctor(app.build(config.load(args.config)), args, out)


PASSWORD_MAX = 1024


def _read_orders_password(*, from_stdin: bool) -> str:
    if from_stdin:
        password = read_line(sys.stdin, PASSWORD_MAX, "the order database password")
    elif sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass("Order database password (kept in the system keyring): ")
    else:
        raise InvalidInput("give the order database password on standard input with --orders-password-stdin, "
                           "or run setup in a terminal")
    if not password:
        raise InvalidInput("the order database password is empty")
    return password


def _store_orders_password(url: str, password: str) -> None:
    try:
        config.write_secret(config.orders_password_name(url), password)
    except config.KeyringUnavailable:
        raise config.KeyringUnavailable(
            "the system keyring cannot be used here, so the password was not stored: give posapp the "
            f"password in {config.ORDERS_PASSWORD_ENV} instead") from None


def doctor(services, args, out: TextIO) -> int:
    from posapp import doctor as health

    worst = ExitCode.OK
    for result in health.run(services):
        print(f"{'ok' if result.ok else 'FAIL':5} {result.name}: {logs.redact(result.detail)}", file=out, flush=True)
        worst = max(worst, result.exit_code)
    return worst


COMMANDS = {
    ("order", "new"): order_new,
    ("order", "list"): order_list,
    ("order", "show"): order_show,
    ("vault", "verify"): vault_verify,
    ("vault", "reconcile"): vault_reconcile,
    ("vault", "import"): vault_import,
    ("provision", None): provision,
    ("doctor", None): doctor,
}


def order_json(order: Order) -> dict[str, object]:
    card = None if order.card_brand is None else {"brand": order.card_brand.value, "last4": order.card_last4}
    return {
        "order_id": order.id,
        "name": order.name,
        "description": order.description,
        "amount": order.amount.amount_text if order.amount else None,
        "amount_minor": order.amount.minor if order.amount else None,
        "currency": order.amount.currency if order.amount else None,
        "card": card,
        "token": order.token,
        "created_at": order.created_at.isoformat().replace("+00:00", "Z") if order.created_at else None,
        "workstation": order.workstation,
        "idempotency_key": order.idempotency_key,
    }


def _print_json(out: TextIO, document: object) -> None:
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _when(order: Order) -> str:
    return order.created_at.strftime("%Y-%m-%d %H:%M") if order.created_at else ""


def _amount(order: Order) -> str:
    return str(order.amount) if order.amount else ""


if __name__ == "__main__":
    sys.exit(main())
