"""Run the Buurtkaart command line: python -m buurtkaart --help."""

from __future__ import annotations

import sys

from buurtkaart.cli import main

sys.exit(main())
