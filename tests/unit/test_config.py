"""Settings: defaults to local mode, layered files, one clear line for a bad file or key."""

import dataclasses
import re
import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posapp import config, secrets
from posapp.config import SECTIONS, ConfigError, VaultBackend


@pytest.fixture
def env(tmp_path):
    return {"POSAPP_HOME": str(tmp_path / "home")}


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_local_mode_under_posapp_home(env, tmp_path):
    settings = config.load(env=env)
    assert settings.vault.backend is VaultBackend.LOCAL
    assert settings.orders.url is None
    assert settings.paths.data_dir == tmp_path / "home" / "data"
    assert settings.paths.log_dir == tmp_path / "home" / "logs"
    assert settings.workstation.id


def test_user_file_then_explicit_file_override_key_by_key(env, tmp_path):
    write(tmp_path / "home" / "posapp.toml", '[workstation]\nid = "till-01"\n[orders]\nurl = "sqlite:////tmp/a.db"\n')
    explicit = write(tmp_path / "explicit.toml", '[orders]\nurl = "sqlite:////tmp/b.db"\n')
    settings = config.load(explicit, env=env)
    assert settings.workstation.id == "till-01"
    assert settings.orders.url == "sqlite:////tmp/b.db"
    assert settings.files[-2:] == (tmp_path / "home" / "posapp.toml", explicit)


def test_posapp_config_variable_names_the_explicit_file(env, tmp_path):
    path = write(tmp_path / "from-env.toml", '[workstation]\nid = "till-07"\n')
    assert config.load(env={**env, "POSAPP_CONFIG": str(path)}).workstation.id == "till-07"


@pytest.mark.parametrize(("text", "expected"), [
    ('[vault]\nbackend = "cloud"\n', "[vault] backend: must be one of 'local', 'dynamodb', not 'cloud'"),
    ('[vault]\nmaterials = "fast"\n', "[vault] materials: must be one of 'direct', 'cached', 'sealed', not 'fast'"),
    ('[vault]\nkms_key_id = "alias/pos"\n', "[vault] kms_key_id: use the full key ARN"),
    ('[vault]\nversion_ttl = "300"\n', "[vault] version_ttl: must be a whole number, not text"),
    ('[vault]\nversion_ttl = 0\n', "[vault] version_ttl: must be at least 1"),
    ('[vault]\nbackend = "dynamodb"\nkms_key_id = "arn:aws:kms:us-east-1:123456789012:key/k"\n',
     '[vault] region: required with backend = "dynamodb"'),
    ('[vault]\ntabel = "x"\n', "unknown setting [vault] tabel"),
    ('[valut]\n', "unknown section [valut]"),
    ('[workstation]\nid = 7\n', "[workstation] id: must be text, not a whole number"),
    ('[workstation]\nid = "till 01"\n', "[workstation] id: use 1 to 64 letters"),
    ('[orders]\nurl = "postgres://x"\n', '[orders] url: use "mysql+pymysql://USER@HOST:PORT/DATABASE"'),
    ('[orders]\nurl = "mysql+pymysql://pos:hunter2@db/pos"\n', "[orders] url: no password in the file"),
    ('[orders]\nurl = "mysql+pymysql://db/pos"\n', "[orders] url: name the user, the host and the database"),
    ('[orders]\nssl_ca = "/nonexistent/ca.pem"\n', "[orders] ssl_ca: no such file: /nonexistent/ca.pem"),
    ('[workstation\n', "not valid TOML"),
    ('[payments]\nprocessor = "paypal"\n', "[payments] processor: must be one of 'none', 'stripe', not 'paypal'"),
    ('[payments]\ncapture = "later"\n', "[payments] capture: must be one of 'automatic', 'manual', not 'later'"),
    ('[payments]\napi_base = "localhost:8420"\n', "[payments] api_base: use an http:// or https:// URL"),
    ('[payments]\napi_key = "sk_test_x"\n', "unknown setting [payments] api_key"),
])
def test_bad_file_is_one_line_naming_file_and_key(env, tmp_path, text, expected):
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as error:
        config.load(path, env=env)
    message = str(error.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_the_window_locks_after_15_idle_minutes_unless_set_shorter(env, tmp_path):
    assert config.load(env=env).access.idle_lock_minutes == 15
    path = write(tmp_path / "access.toml", "[access]\nidle_lock_minutes = 5\n")
    assert config.load(path, env=env).access.idle_lock_minutes == 5


@pytest.mark.parametrize("minutes", [16, 0])
def test_an_idle_lock_longer_than_15_minutes_or_none_is_refused(env, tmp_path, minutes):
    path = write(tmp_path / "access.toml", f"[access]\nidle_lock_minutes = {minutes}\n")
    with pytest.raises(ConfigError) as error:
        config.load(path, env=env)
    assert str(error.value) == (f"{path}: [access] idle_lock_minutes: must be 1 to 15 minutes (PCI DSS 8.2.8 allows "
                                f"an idle session at most 15 minutes), not {minutes}")


def test_no_processor_charges_unless_one_is_chosen(env, tmp_path):
    assert config.load(env=env).payments == config.PaymentsSettings(config.PaymentProcessor.NONE, None,
                                                                    config.CaptureMethod.AUTOMATIC)
    write(tmp_path / "home" / "posapp.toml",
          '[payments]\nprocessor = "stripe"\napi_base = "http://127.0.0.1:8420"\ncapture = "manual"\n')
    assert config.load(env=env).payments == config.PaymentsSettings(
        config.PaymentProcessor.STRIPE, "http://127.0.0.1:8420", config.CaptureMethod.MANUAL)


def test_payment_settings_are_written_as_they_are_read(env, tmp_path):
    values = {"payments": {"processor": config.PaymentProcessor.STRIPE, "capture": config.CaptureMethod.MANUAL}}
    text = config.render(values)
    assert '[payments]\nprocessor = "stripe"\ncapture = "manual"' in text
    path = write(tmp_path / "written.toml", config.check(tmp_path / "written.toml", values))
    assert config.load(path, env=env).payments.capture is config.CaptureMethod.MANUAL


def test_stripe_key_from_environment_then_keyring(memory_keyring):
    assert secrets.stripe_key(env={}) is None
    secrets.write_secret("stripe", "sk_test_from_keyring")
    assert memory_keyring.secrets[("posapp", "stripe")] == "sk_test_from_keyring"
    assert secrets.stripe_key(env={}) == "sk_test_from_keyring"
    assert secrets.stripe_key(env={"POSAPP_STRIPE_KEY": "sk_test_from_env"}) == "sk_test_from_env"


def test_missing_explicit_file_is_an_error(env, tmp_path):
    with pytest.raises(ConfigError, match="configuration file not found"):
        config.load(tmp_path / "nope.toml", env=env)


def test_secrets_round_trip_through_the_keyring(memory_keyring):
    secrets.write_secret("orders-password", "s3cret")
    assert secrets.read_secret("orders-password") == "s3cret"
    assert memory_keyring.secrets[("posapp", "orders-password")] == "s3cret"
    assert secrets.read_secret("never-stored") is None


def test_dynamodb_settings(env, tmp_path):
    path = write(tmp_path / "aws.toml", """
[vault]
backend = "dynamodb"
table = "till-vault"
region = "eu-central-1"
endpoint_url = "http://127.0.0.1:5000"
kms_key_id = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
materials = "cached"
version_ttl = 60

[orders]
url = "mysql+pymysql://pos@db.example:3306/shop"
""")
    vault = config.load(path, env=env).vault
    assert (vault.backend, vault.materials, vault.version_ttl) == (VaultBackend.DYNAMODB, config.Materials.CACHED, 60)
    assert (vault.table, vault.meta_table, vault.region) == ("till-vault", "till-vault-meta", "eu-central-1")


def test_orders_password_from_environment_then_keyring(memory_keyring):
    url = "mysql+pymysql://pos@db.example:3307/shop"
    assert secrets.orders_password_name(url) == "orders:pos@db.example:3307/shop"
    assert secrets.orders_password(url, env={}) is None
    secrets.write_secret("orders:pos@db.example:3307/shop", "from-keyring")
    assert secrets.orders_password(url, env={}) == "from-keyring"
    assert secrets.orders_password(url, env={"POSAPP_ORDERS_PASSWORD": "from-env"}) == "from-env"


AWS_VAULT = """
[vault]
backend = "dynamodb"
region = "eu-central-1"
kms_key_id = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
"""


@pytest.mark.parametrize(("url", "reason"), [
    ("sqlite:///:memory:", "use a file with its absolute path"),
    ("sqlite:///", "use a file with its absolute path"),
    ("sqlite:///orders.db", "use a file with its absolute path"),
    ("sqlite:///./data/orders.db", "use a file with its absolute path"),
    ("sqlite:///file::memory:?cache=shared", "use a file with its absolute path"),
    ("sqlite:////tmp/orders.db?mode=memory", "use a file with its absolute path"),
    ("sqlite://", 'use "mysql+pymysql://USER@HOST:PORT/DATABASE" or "sqlite:///PATH"'),
    ("sqlite:////tmp/orders.db ", "remove the spaces around the URL"),
    ("mysql+pymysql://pos@db:abc/shop", "the port must be a number"),
])
def test_an_order_history_that_would_not_outlive_posapp_is_refused(env, tmp_path, url, reason):
    path = write(tmp_path / "orders.toml", f'[orders]\nurl = "{url}"\n')
    with pytest.raises(ConfigError, match=f"^{path}: \\[orders\\] url: ") as refused:
        config.load(path, env=env)
    assert reason in str(refused.value)


@pytest.mark.parametrize("orders", ["", '[orders]\nurl = "sqlite:////var/lib/posapp/orders.db"\n'])
def test_a_shared_vault_with_a_local_order_history_is_refused(env, tmp_path, orders):
    path = write(tmp_path / "shared.toml", AWS_VAULT + orders)
    with pytest.raises(ConfigError, match="\\[orders\\] url: a DynamoDB card vault is shared by tills, so its order "
                                          "history must be shared too"):
        config.load(path, env=env)


@pytest.mark.parametrize(("key", "value", "reason"), [
    ("region", '"europe"', "use an AWS region name, like eu-west-1"),
    ("region", '"EU-WEST-1"', "use an AWS region name"),
    ("region", '""', "use an AWS region name"),
    ("endpoint_url", '"localhost:5000"', "use an http:// or https:// URL with a host"),
    ("endpoint_url", '"http://"', "use an http:// or https:// URL with a host"),
    ("endpoint_url", '"http://127.0.0.1:port"', "the port must be a number"),
    ("endpoint_url", '"http://127.0.0.1:99999"', "the port must be a number"),
    ("table", '""', "use 3 to 250 letters, digits, dots, dashes or underscores"),
    ("table", '"a b"', "use 3 to 250 letters"),
    ("table", f'"{"t" * 251}"', "use 3 to 250 letters"),
])
def test_aws_settings_are_checked_when_read(env, tmp_path, key, value, reason):
    text = AWS_VAULT.replace('region = "eu-central-1"\n', "") if key == "region" else AWS_VAULT
    path = write(tmp_path / "aws.toml", text + f"{key} = {value}\n" + '[orders]\nurl = "mysql+pymysql://pos@db/shop"\n')
    with pytest.raises(ConfigError, match=f"^{path}: \\[vault\\] {key}: ") as refused:
        config.load(path, env=env)
    assert reason in str(refused.value)


# TOML values of each kind, as written in a file, with the words a message uses for that kind.
TOML_VALUES = {
    "text": st.text(alphabet="abcxyz -", max_size=8).map(lambda text: f'"{text}"'),
    "a whole number": st.integers(-2**63, 2**63 - 1).map(str),
    "a decimal number": st.floats(allow_nan=False, allow_infinity=False).map(repr),
    "true or false": st.sampled_from(["true", "false"]),
    "a list": st.sampled_from(["[]", "[1, 2]", '["a", "b"]']),
    "a table": st.sampled_from(["{}", "{ a = 1 }"]),
    "a date and time": st.just("1979-05-27T07:32:00Z"),
    "a date": st.just("1979-05-27"),
    "a time of day": st.just("07:32:00"),
}


def _accepted(hint):
    """The kind of TOML value a setting of type ``hint`` takes (an enumeration's values are text)."""
    if typing.get_origin(hint) is tuple:
        return "a list"
    options = typing.get_args(hint) or (hint,)
    return "a whole number" if int in options else "text"


TYPED_SETTINGS = [(section, name, _accepted(hint)) for section, kind in SECTIONS.items()
                  for name, hint in typing.get_type_hints(kind).items()
                  if name in {field.name for field in dataclasses.fields(kind)}]


@st.composite
def wrong_typed(draw):
    section, key, accepted = draw(st.sampled_from(TYPED_SETTINGS))
    kind = draw(st.sampled_from(sorted(set(TOML_VALUES) - {accepted})))
    return section, key, kind, draw(TOML_VALUES[kind])


@given(wrong_typed())
def test_a_value_of_the_wrong_kind_is_named_in_the_files_words(tmp_path_factory, setting):
    section, key, kind, value = setting
    path = write(tmp_path_factory.mktemp("config") / "bad.toml", f"[{section}]\n{key} = {value}\n")
    with pytest.raises(ConfigError) as error:
        config.load(path, env={"POSAPP_HOME": str(path.parent / "home")})
    message = str(error.value)
    assert message.startswith(f"{path}: [{section}] {key}: must be ")
    assert message.endswith(f", not {kind}")
    assert not re.search(r"\b(str|int|float|bool|dict|tuple|NoneType|datetime)\b", message)
