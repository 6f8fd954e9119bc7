"""A keyring backend that forgets every secret when its process ends (as a misconfigured
or session-only keyring does). Subprocesses select it with
``PYTHON_KEYRING_BACKEND=session_keyring.Keyring`` and this folder on PYTHONPATH."""

import keyring.backend
import keyring.errors


class Keyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.secrets = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)
