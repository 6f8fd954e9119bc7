"""Issue 12, kind 8: files and folders other users can write.

posapp started under ``umask 000`` still makes every folder 0700 and every file 0600 (the
machine-wide settings file excepted: every user of the till reads it, none may write it); and
it refuses, as ssh does, settings that another user could have written, doing nothing else.
"""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from kit import cli_sale
from cardgen import random_pan
from signin import signed_in

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Windows keeps permissions in ACLs")

OTHER_UID = 54321  # no user of this machine: a file "of another user"


def run(args, *, env, stdin=None, umask="000"):
    """posapp started by a shell whose umask is ``umask``, with only ``env`` telling it where to write."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("POSAPP_", "XDG_")) and key != "HOME"}
    environment.update(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", PYTHONIOENCODING="utf-8", **env)
    return signed_in(lambda argv, more: subprocess.run(
        ["sh", "-c", f'umask {umask}; exec "$@"', "sh", sys.executable, "-m", "posapp", *argv],
        input=stdin, capture_output=True, text=True, encoding="utf-8", env={**environment, **more}, timeout=120),
        args, {})


def sell(env, **options):
    return cli_sale(lambda *args, **more: run(list(args), env=env, **more), None, "--json", **options)


def modes(top: Path) -> dict[str, str]:
    """Mode of ``top`` and of everything under it, by path relative to top's parent."""
    return {str(path.relative_to(top.parent)): oct(stat.S_IMODE(path.lstat().st_mode))
            for path in [top, *top.rglob("*")]}


def private(top: Path) -> dict[str, str]:
    return {name: "0o700" if (top.parent / name).is_dir() else "0o600" for name in modes(top)}


def test_under_umask_000_a_new_posapp_home_and_its_parents_are_private(tmp_path):
    home = tmp_path / "new" / "parents" / "posapp-home"
    env = {"POSAPP_HOME": str(home)}
    sold = sell(env)
    assert sold.returncode == 0, sold.stderr
    cards = tmp_path / "cards.csv"
    cards.write_text(random_pan("4", 16) + "\n" + random_pan("51", 16) + "\n")
    tokens = tmp_path / "out" / "tokens.csv"
    tokens.parent.mkdir()
    imported = run(["vault", "import", str(cards), "--out", str(tokens)], env=env)
    assert imported.returncode == 0, imported.stderr
    assert run(["setup", "--workstation-id", "till-01"], env=env).returncode == 0
    for command in (["provision"], ["vault", "reconcile", "--grace", "10"], ["vault", "verify", "--all"]):
        done = run(command, env=env)
        assert done.returncode == 0, done.stderr
    assert (home / "posapp.toml").is_file() and (home / "data" / "vault.db").is_file()
    assert (home / "logs" / "posapp.log").is_file() and (home / "data" / "orders.db").is_file()
    assert modes(tmp_path / "new") == private(tmp_path / "new")
    assert [(path.name, oct(stat.S_IMODE(path.stat().st_mode))) for path in tokens.parent.iterdir()] == [
        ("tokens.csv", "0o600")]


def test_under_umask_000_the_per_user_folders_are_private(tmp_path):
    user_home = tmp_path / "user"
    user_home.mkdir()
    env = {"HOME": str(user_home)}  # platformdirs: ~/.local/share, ~/.local/state, ~/.config
    assert sell(env).returncode == 0
    assert run(["setup", "--workstation-id", "till-01"], env=env).returncode == 0
    assert (user_home / ".local" / "share" / "posapp" / "vault.db").is_file()
    assert (user_home / ".config" / "posapp" / "posapp.toml").is_file()
    for made in (".local", ".config"):
        assert modes(user_home / made) == private(user_home / made)


def test_the_machine_wide_settings_file_is_readable_by_all_and_writable_by_none(tmp_path):
    system = tmp_path / "etc" / "posapp" / "posapp.toml"
    done = run(["--config", str(system), "setup", "--system", "--workstation-id", "till-01"],
               env={"POSAPP_HOME": str(tmp_path / "home")})
    assert done.returncode == 0, done.stderr
    assert modes(system.parent) == {"posapp": "0o755", "posapp/posapp.toml": "0o644"}


def one_line_refusal(done, path: Path, fix: str):
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(f"posapp: {path}: ")
    assert done.stderr.rstrip().endswith(f"{fix} {path}")


def nothing_done(home: Path):
    assert not (home / "data").exists()  # no vault, no order history: the card went nowhere


@pytest.fixture
def home(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    return home


def test_a_settings_file_others_can_write_is_refused(home):
    settings = home / "posapp.toml"
    settings.write_text('[workstation]\nid = "till-01"\n')
    for mode in (0o664, 0o646, 0o666):
        settings.chmod(mode)
        one_line_refusal(sell({"POSAPP_HOME": str(home)}), settings, "chmod go-w")
        nothing_done(home)


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777])
def test_a_posapp_home_others_can_write_is_refused_even_before_it_holds_settings(home, mode):
    home.chmod(mode)
    one_line_refusal(sell({"POSAPP_HOME": str(home)}), home, "chmod go-w")
    nothing_done(home)


def test_a_folder_above_the_settings_that_others_can_write_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # anyone could rename posapp-home away and put their own in its place
    home = shared / "posapp-home"
    home.mkdir(mode=0o700)
    one_line_refusal(sell({"POSAPP_HOME": str(home)}), shared, "chmod go-w")
    nothing_done(home)


def test_a_settings_file_named_with_config_is_checked_too(tmp_path, home):
    explicit = tmp_path / "till.toml"
    explicit.write_text('[workstation]\nid = "till-01"\n')
    explicit.chmod(0o666)
    one_line_refusal(sell({"POSAPP_HOME": str(home), "POSAPP_CONFIG": str(explicit)}), explicit, "chmod go-w")
    nothing_done(home)


def test_a_link_to_settings_in_a_folder_others_can_write_is_refused(tmp_path, home):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "posapp.toml").write_text('[workstation]\nid = "till-01"\n')
    elsewhere.chmod(0o777)
    (home / "posapp.toml").symlink_to(elsewhere / "posapp.toml")
    one_line_refusal(sell({"POSAPP_HOME": str(home)}), elsewhere, "chmod go-w")
    nothing_done(home)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_settings_that_belong_to_another_user_are_refused(home):
    import pwd

    settings = home / "posapp.toml"
    settings.write_text('[vault]\nbackend = "local"\n')
    os.chown(settings, OTHER_UID, -1)
    one_line_refusal(sell({"POSAPP_HOME": str(home)}), settings, f"chown {pwd.getpwuid(os.geteuid()).pw_name}")
    nothing_done(home)


def test_a_sticky_folder_like_tmp_may_hold_the_users_own_settings(tmp_path, home):
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    sticky.chmod(0o1777)  # others may add files, not rename or replace ours
    explicit = sticky / "till.toml"
    explicit.write_text('[workstation]\nid = "till-sticky"\n')
    sold = sell({"POSAPP_HOME": str(home), "POSAPP_CONFIG": str(explicit)}, umask="022")
    assert sold.returncode == 0, sold.stderr
    assert json.loads(sold.stdout)["workstation"] == "till-sticky"


def test_setup_does_not_write_into_a_folder_others_can_write(home):
    home.chmod(0o777)
    done = run(["setup", "--workstation-id", "till-01"], env={"POSAPP_HOME": str(home)})
    one_line_refusal(done, home, "chmod go-w")
    assert not (home / "posapp.toml").exists()
