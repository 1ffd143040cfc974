"""Every budget medlint applies to untrusted input, in one place (principle 8: bounded).

A pull request from a stranger is scanned too, so each read, expansion, pattern match and render has a limit.
A limit that is hit becomes a finding that names the file and the limit (MD001 for files, MD003 for charts),
never a hang, a crash or a partial result. Every field can be set under `limits:` in the configuration; the
defaults sit far above what honest repositories need, so they never change a finding on real input.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Budgets for one run. Sizes are in bytes, times in seconds."""

    # --- reading files ---------------------------------------------------------------------------------
    #: Largest file medlint reads; at most this many bytes plus one are ever read from a file.
    max_file_bytes: int = 20 * MIB
    #: Largest requirement or constraints file read from a Dockerfile's build context (`pip install -r`).
    max_context_file_bytes: int = 1 * MIB
    #: Largest user rule file (`rules_dirs`, `--rules-dir`); the configuration file itself has a fixed bound.
    max_config_bytes: int = 1 * MIB
    #: Largest `--baseline` file.
    max_baseline_bytes: int = 64 * MIB
    #: Largest `.git/index` read to learn which files git tracks (MD306); a larger one counts as absent.
    max_git_index_bytes: int = 128 * MIB

    # --- expansion and text ------------------------------------------------------------------------------

    # --- Helm rendering ----------------------------------------------------------------------------------


DEFAULT_LIMITS = Limits()
