"""Entry point of the frozen posapp bundle (PyInstaller)."""

import sys

from posapp.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
