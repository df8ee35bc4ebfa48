"""`python -m uclab ...` is the `uclab` command."""

import sys

from .cli.main import main

sys.exit(main())
