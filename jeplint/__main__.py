import sys

from jeplint.cli import main

sys.exit(main())
