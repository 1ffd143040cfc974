"""Shared test set-up: make the repository importable without installation, and locate shared data."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

#: The workplace's shared folder (corpus, reference outputs); tests that need it skip when it is absent.
SHARED = REPO_ROOT.parent / "shared"

#: The bundled example, relative to the repository root (as users type it) and as a path.
EXAMPLE = "examples/medical-device"
EXAMPLE_DIR = REPO_ROOT / EXAMPLE
#: Per-rule fixtures: fixtures/<rule id>/{fail,pass}/.
FIXTURES = REPO_ROOT / "fixtures"
#: The real-world corpus (dockerfile/, compose/, k8s/, helm/); tests that need it skip when it is absent.
CORPUS = SHARED / "corpus"
