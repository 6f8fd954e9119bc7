import sys

from posapp.cli import main

sys.exit(main())
