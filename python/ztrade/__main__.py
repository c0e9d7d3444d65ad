import sys

from ztrade.cli import main

sys.exit(main())
