"""``python -m emulator.conformance`` is ``chat-emulator check``."""

from __future__ import annotations

import sys

from emulator.conformance.cli import main

sys.exit(main())
