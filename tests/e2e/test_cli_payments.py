"""``posapp order new`` charging through a processor (localstripe), and ``payments recover``,
as a till's script runs them: exit codes, what is printed, and that no card or CVC is kept."""

import json
import re

import pytest
from kit import cli_sale
from leakscan import find_leaks, sqlite_rows
from localstripetest import API_KEY

VISA = "4242424242424242"
DECLINING = "4000000000000341"
CVC = "739"


@pytest.fixture
def capture_method():
    return "automatic"


@pytest.fixture
def shop(posapp, posapp_home, tmp_path, localstripe, capture_method):
    localstripe.reset()
    settings = tmp_path / "posapp.toml"
    settings.write_text(f'[payments]\nprocessor = "stripe"\napi_base = "{localstripe.url}"\n'
                        f'capture = "{capture_method}"\n')
    settings.chmod(0o600)
    environment = {"POSAPP_CONFIG": str(settings), "POSAPP_STRIPE_KEY": API_KEY}

    def run(*args, env=None, **options):
        return posapp(*args, env={**environment, **(env or {})}, **options)

    assert run("provision").returncode == 0
    return run


def cvc_tokens(text: str) -> list[str]:
    return re.findall(rf"(?<![0-9A-Za-z]){CVC}(?![0-9A-Za-z])", text)


def test_a_paid_sale_a_decline_and_a_refused_code(shop, posapp_home, localstripe):
    paid = cli_sale(shop, f"4242 4242 4242 4242 12/29 {CVC}", "--json")
    assert paid.returncode == 0, paid.stderr
    order = json.loads(paid.stdout)
    assert (order["status"], order["card"], order["payment"]["processor"]) == (
        "paid", {"brand": "VISA", "last4": "4242"}, "stripe")
    assert order["payment"]["reference"].startswith("pi_") and order["payment"]["captured_minor"] == 350

    text = cli_sale(shop, f"{VISA} 12/29 {CVC}")
    assert re.fullmatch(r"Order \d+ paid: \$3\.50 on VISA •••• 4242 \(stripe pi_\w+\)\n", text.stdout), text.stdout

    declined = cli_sale(shop, f"{DECLINING} 12/29 {CVC}", "--json")
    assert declined.returncode == 6
    assert declined.stderr.startswith("posapp: Declined") and declined.stderr.count("\n") == 1
    assert "another card" in declined.stderr
    shown = json.loads(declined.stdout)
    assert (shown["status"], shown["token"], shown["card"]["last4"]) == ("declined", None, "0341")

    refused = cli_sale(shop, f"{VISA} 12/29 73")
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == "posapp: The VISA verification code is 3 digits, printed on the back " \
                             "of the card\n"

    no_code = cli_sale(shop, f"{VISA} 12/29")
    assert (no_code.returncode, no_code.stdout) == (2, "")
    assert "needs the card's verification code: type it after the expiry" in no_code.stderr

    assert len(localstripe.payment_intents()) == 3  # the refused code and the missing one were never sent
    listed = json.loads(shop("order", "list", "--json").stdout)["orders"]
    assert [each["status"] for each in listed] == ["declined", "paid", "paid"]
    recovered = shop("payments", "recover")
    assert (recovered.returncode, recovered.stdout) == (0, "No pending orders.\n")

    printed = "".join(run.stdout + run.stderr for run in (paid, text, declined, refused, recovered))
    data = posapp_home / "data"
    rows = {**sqlite_rows(data / "orders.db"), **sqlite_rows(data / "vault.db")}
    assert find_leaks([VISA], [posapp_home], printed, rows) == []
    kept = "\n".join(blob.decode("utf-8", "replace") for blob in rows.values())
    logs = "\n".join(path.read_text("utf-8", "replace") for path in posapp_home.rglob("*.log"))
    # The declining test card is a "4" and eleven zeros: the digits of a database file's binary
    # pages hold that by chance, so it is looked for in every text and every row instead.
    assert find_leaks([DECLINING], [], printed + logs, rows) == []
    assert cvc_tokens(printed + kept + logs) == []


def test_without_a_key_the_sale_is_refused_before_anything_is_stored(shop, posapp_home, localstripe):
    refused = cli_sale(shop, f"{VISA} 12/29 {CVC}", env={"POSAPP_STRIPE_KEY": ""})
    assert refused.returncode == 2 and "no Stripe API key" in refused.stderr
    assert localstripe.payment_intents() == []
    assert json.loads(shop("order", "list", "--json").stdout)["orders"] == []


def sold(shop, amount="3.50"):
    done = cli_sale(shop, f"{VISA} 12/29 {CVC}", "--json", amount=amount)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def refunds(localstripe):
    status, body = localstripe.request("GET", "/v1/refunds?limit=100")
    assert status == 200
    return [(refund["payment_intent"], refund["amount"]) for refund in json.loads(body)["data"]]


def test_refunds_go_up_to_what_was_captured_and_no_further(shop, localstripe):
    order = sold(shop)
    number = str(order["order_id"])
    part = shop("order", "refund", number, "--amount", "1.00", "--reason", "cold coffee", "--json")
    assert part.returncode == 0, part.stderr
    assert (json.loads(part.stdout)["status"], json.loads(part.stdout)["payment"]["refunded_minor"]) == (
        "partially_refunded", 100)
    over = shop("order", "refund", number, "--amount", "2.51")
    assert (over.returncode, over.stdout) == (2, "")
    assert over.stderr == (f"posapp: order {number} has 2.50 USD left to refund (3.50 USD captured, "
                           f"1.00 USD refunded)\n")
    rest = shop("order", "refund", number)
    assert rest.returncode == 0 and rest.stdout == f"Order {number} refunded: now refunded ($3.50, refunded $3.50).\n"
    again = shop("order", "refund", number, "--amount", "0.01")
    assert again.returncode == 2
    assert again.stderr == f"posapp: order {number} is refunded: it was refunded in full already, so there is " \
                           f"nothing to refund\n"
    reference = order["payment"]["reference"]
    assert sorted(refunds(localstripe)) == [(reference, 100), (reference, 250)]  # nothing more was sent
    entries = json.loads(shop("audit", "list", "--action", "refund", "--json").stdout)["entries"]
    assert [(entry["outcome"], entry["details"].get("reason")) for entry in entries] == [
        ("requested", "cold coffee"), ("ok", "cold coffee"), ("requested", None), ("ok", None)]


@pytest.mark.usefixtures("provisioned_posapp")
def test_an_order_that_charged_nothing_cannot_be_refunded(posapp):
    recorded = cli_sale(posapp, f"{VISA} 12/29", "--json")
    number = str(json.loads(recorded.stdout)["order_id"])
    refused = posapp("order", "refund", number)
    assert refused.returncode == 2
    assert refused.stderr == f"posapp: order {number} charged no card (it is recorded): there is no payment to refund\n"


@pytest.mark.parametrize("capture_method", ["manual"])
def test_a_manual_capture_then_a_void(shop, localstripe):
    tab = sold(shop, "20.00")
    assert tab["status"] == "authorized" and tab["payment"]["captured_minor"] == 0
    over = shop("order", "capture", str(tab["order_id"]), "--amount", "20.01")
    assert over.returncode == 2 and "capture more than zero and at most that" in over.stderr
    captured = shop("order", "capture", str(tab["order_id"]), "--amount", "17.50", "--json")
    assert captured.returncode == 0, captured.stderr
    assert (json.loads(captured.stdout)["status"], json.loads(captured.stdout)["payment"]["captured_minor"]) == (
        "paid", 1750)
    other = sold(shop)
    voided = shop("order", "void", str(other["order_id"]), "--json")
    assert voided.returncode == 0, voided.stderr
    assert json.loads(voided.stdout)["status"] == "voided"
    states = {intent["id"]: intent["status"] for intent in localstripe.payment_intents()}
    assert states[other["payment"]["reference"]] == "canceled"
    assert states[tab["payment"]["reference"]] == "succeeded"
    paid_void = shop("order", "void", str(tab["order_id"]))
    assert paid_void.returncode == 2 and f"is paid: its money was taken, so it is refunded ('posapp order refund {tab['order_id']}')" in paid_void.stderr


def test_an_unreachable_processor_leaves_the_sale_pending_in_one_line(posapp, tmp_path):
    from awstest import free_port

    settings = tmp_path / "posapp.toml"
    settings.write_text(f'[payments]\nprocessor = "stripe"\napi_base = "http://127.0.0.1:{free_port()}"\n')
    settings.chmod(0o600)
    environment = {"POSAPP_CONFIG": str(settings), "POSAPP_STRIPE_KEY": API_KEY}
    pending = cli_sale(posapp, f"{VISA} 12/29 {CVC}", "--json", env=environment)
    assert pending.returncode == 3 and pending.stderr.count("\n") == 1, pending.stderr
    order = json.loads(pending.stdout)
    assert pending.stderr == (f"posapp: order {order['order_id']} is pending: the card processor could not be "
                              f"reached. Do not charge it again: 'posapp payments recover' asks the processor "
                              f"what happened and records it\n")
    assert (order["status"], order["payment"]["reference"]) == ("pending", None)
