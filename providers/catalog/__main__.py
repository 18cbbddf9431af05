"""`python -m providers.catalog check`: compare each provider's own models list with this catalog.

The code lives beside the data, in providers/catalog_check.py.
"""

from __future__ import annotations

import sys

from ..catalog_check import main

if __name__ == "__main__":
    sys.exit(main())
