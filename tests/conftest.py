"""Shared test set-up: make the repository importable without installation, and locate shared data."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

#: The workplace's shared folder (corpus, reference outputs); tests that need it skip when it is absent.
SHARED = REPO_ROOT.parent / "shared"
