"""The window opens through the command line's entry point: neither may load the database, AWS,
card processor or hashing libraries before the first frame (each costs tenths of a second; a
background task pays)."""

import subprocess
import sys


def test_the_entry_point_loads_no_backend_library():
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, posapp.__main__, posapp.cli.boundary, posapp.app; "
         "print(sorted(m for m in ('sqlalchemy', 'argon2', 'boto3', 'dynamodb_encryption_sdk', 'alembic', 'stripe') "
         "if m in sys.modules))"], capture_output=True, text=True, check=True).stdout
    assert loaded == "[]\n"
