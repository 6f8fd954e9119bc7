"""Settings are read only from files and folders no other user can change (issue 12, kind 8).

Every mode a settings file or its folder can have: refused exactly when group or others may
write it (a sticky folder excepted), with one line naming the path and the fix."""

import os
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posapp import config
from posapp.errors import ConfigError

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Windows keeps permissions in ACLs")

OTHERS_WRITE = 0o022
# Modes the owner can still use: they read a file, and list and enter a folder.
FILE_MODES = st.integers(0, 0o777).map(lambda mode: mode | 0o400)
FOLDER_MODES = st.integers(0, 0o1777).map(lambda mode: mode | 0o700)


def load_from(home: Path):
    return config.load(env={"POSAPP_HOME": str(home)})


@given(mode=FILE_MODES)
def test_a_settings_file_is_refused_exactly_when_others_can_write_it(mode):
    with tempfile.TemporaryDirectory() as top:
        home = Path(top) / "home"
        home.mkdir(mode=0o700)
        settings = home / "posapp.toml"
        settings.write_text('[workstation]\nid = "till-01"\n')
        settings.chmod(mode)
        if mode & OTHERS_WRITE:
            with pytest.raises(ConfigError) as refused:
                load_from(home)
            assert str(refused.value).endswith(f"chmod go-w {settings}") and "\n" not in str(refused.value)
        else:
            assert load_from(home).workstation.id == "till-01"


@given(mode=FOLDER_MODES)
def test_a_folder_above_the_settings_is_refused_when_others_can_replace_what_it_holds(mode):
    with tempfile.TemporaryDirectory() as top:
        folder = Path(top) / "folder"
        folder.mkdir()
        home = folder / "home"
        home.mkdir(mode=0o700)
        (home / "posapp.toml").write_text('[workstation]\nid = "till-01"\n')
        folder.chmod(mode)
        if mode & OTHERS_WRITE and not mode & 0o1000:
            with pytest.raises(ConfigError, match=f"^{folder}: other users can change it"):
                load_from(home)
        else:
            assert load_from(home).workstation.id == "till-01"


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() != 0, reason="only root can give a file away")
@pytest.mark.parametrize("uid", [1, 54321])
def test_settings_of_another_user_are_refused_and_root_s_are_not(tmp_path, uid):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    settings = home / "posapp.toml"
    settings.write_text('[workstation]\nid = "till-01"\n')
    assert load_from(home).workstation.id == "till-01"  # root's own
    os.chown(settings, uid, -1)
    with pytest.raises(ConfigError, match=f"^{settings}: belongs to .*, not to root, so posapp will not take settings from it"):
        load_from(home)
