"""Running the posapp command signed in, as scripts do: an administrator made once per order database.

Every command but setup, doctor and provision needs an operator; a test that is not about
operators runs as ADMIN. The administrator is created the first time a command is refused
because no operator exists (never before: a command refused earlier, or one that changes what
sign-in reads, must see the till as the test left it), then the command runs again.
"""

from __future__ import annotations

ADMIN = "admin"
ADMIN_SECRET = "tiLL owner pass 2026"  # a test password (letters and digits, 12+ characters)
SIGNED_IN = {"POSAPP_OPERATOR": ADMIN, "POSAPP_SECRET": ADMIN_SECRET}
NO_OPERATOR = "no operator exists yet"
EXIT_NOT_PERMITTED = 5


def global_options(args) -> list:
    """The options before the command (``--config PATH``), which ``operator add`` needs too."""
    args = list(args)
    return args[:2] if args[:1] in (["--config"], [b"--config"]) else []


def refused_for_want_of_operators(done) -> bool:
    """Whether a finished run was refused because no operator exists yet."""
    stderr = done.stderr.decode("utf-8", "replace") if isinstance(done.stderr, bytes) else done.stderr
    return done.returncode == EXIT_NOT_PERMITTED and NO_OPERATOR in (stderr or "")


def signed_in(run, args, env: dict[str, str]):
    """``run(args, env)`` as ADMIN (unless ``env`` names another operator), creating ADMIN first
    if the command is refused because no operator exists; the finished run."""
    env = {**SIGNED_IN, **env}
    done = run(args, env)
    if refused_for_want_of_operators(done):
        created = run([*global_options(args), "operator", "add", "--role", "admin", ADMIN],
                      {**env, "POSAPP_NEW_SECRET": ADMIN_SECRET})
        assert created.returncode == 0, created.stderr
        done = run(args, env)
    return done


def add_admin(environment: dict[str, str], *options: str) -> dict[str, str]:
    """Make sure ADMIN exists in the order database ``environment`` (and ``--config`` ``options``)
    leads to, with a plain ``posapp operator add``; ``environment`` signed in as ADMIN. For runs that
    cannot make it on first need themselves (a crash injected, a full stdout, a terminal)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "posapp", *options, "operator", "add", "--role", "admin", ADMIN],
                          capture_output=True, text=True, env={**environment, **SIGNED_IN,
                                                                "POSAPP_NEW_SECRET": ADMIN_SECRET}, timeout=60)
    assert done.returncode == 0 or f"there is an operator '{ADMIN}' already" in done.stderr, done.stderr
    return {**environment, **SIGNED_IN}
