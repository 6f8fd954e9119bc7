"""The posapp command on a local vault with sealed materials: a till registered by an administrator
sells, and the same workstation, its own back office, verifies every card it sealed."""

import json

from cardgen import random_pan
from kit import cli_sale


def test_a_registered_till_sells_and_verify_all_reads_every_sealed_card(posapp, posapp_home):
    posapp_home.mkdir()
    (posapp_home / "posapp.toml").write_text('[workstation]\nid = "till-07"\n\n[vault]\nmaterials = "sealed"\n')
    refused = cli_sale(posapp)
    assert (refused.returncode, refused.stdout) == (2, "")  # a setup matter: register it
    assert "holds no till signing key: an administrator runs 'posapp till register' on it" in refused.stderr
    assert posapp("till", "register").returncode == 0

    sold = [cli_sale(posapp, random_pan("4", 16), "--json") for _ in range(3)]
    assert [done.returncode for done in sold] == [0] * 3, sold[0].stderr
    tokens = [json.loads(done.stdout)["token"] for done in sold]
    verified = posapp("vault", "verify", "--all")
    assert (verified.returncode, verified.stdout) == (
        0, "Checked 3 vault items and 3 orders: all intact.\nKeys: 3 items under sealed:local.\n"), verified.stderr
    assert (posapp_home / "data" / "keys" / "back-office.key").stat().st_mode & 0o777 == 0o600

    doctor = posapp("doctor")
    assert ("ok    encryption round trip: an item was sealed by till till-07 and opened with the back office key "
            "kept on this workstation") in doctor.stdout

    assert posapp("till", "revoke", "till-07").returncode == 0
    revoked = posapp("vault", "verify", "--all")
    assert revoked.returncode == 4
    assert f"vault item {tokens[0]} failed its integrity check (signed by till till-07, whose key was revoked" \
        in revoked.stderr
    stopped = cli_sale(posapp)  # and the revoked till takes no more cards
    assert stopped.returncode == 2 and "till till-07's signing key was revoked" in stopped.stderr
