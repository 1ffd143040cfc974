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
    #: Largest supplied SBOM (`--sbom`, `sbom:`, `medlint sbom --merge`); an image's full SBOM is a few MiB.
    max_sbom_bytes: int = 64 * MIB
    #: Largest `.git/index` read to learn which files git tracks (MD306); a larger one counts as absent.
    max_git_index_bytes: int = 128 * MIB

    # --- expansion and text ------------------------------------------------------------------------------
    #: Characters that substituting variables may put into one value: a Dockerfile ARG, ENV or instruction
    #: argument, a Compose value or a `.env` value. Text written literally does not count.
    max_expanded_value_chars: int = 1 * MIB
    #: Characters that substitution may produce in one file altogether (a Compose project, with the files
    #: it includes and its `.env` files, counts as one).
    max_expanded_file_chars: int = 16 * MIB
    #: How deeply substitutions may nest, as in `${A:-${B:-${C}}}`.
    max_substitution_nesting: int = 32
    #: Compose files one project may read through `include` and `extends` (each file is read once).
    max_compose_files: int = 256

    # --- Helm rendering ----------------------------------------------------------------------------------
    #: Template evaluation steps for one chart, across all its values sets. A step is an action, a range
    #: iteration or a function call (`include` and `tpl` count 8); functions add one step per 64 characters
    #: or items of their arguments and result. Steps are counted, not timed, so this budget, not the clock,
    #: normally stops a hostile chart, and output never depends on machine load. The heaviest chart of
    #: the reference corpus takes about 61,000 steps with all its values sets; two million take seconds.
    max_render_steps_per_chart: int = 2_000_000
    #: Template evaluation steps for all the charts of one run (the corpus: 391,000 for 63 charts).
    max_render_steps_per_run: int = 20_000_000
    #: Wall-clock backstop for one chart (all its values sets); generous, as the step budget comes first.
    max_render_seconds_per_chart: float = 120.0
    #: Wall-clock backstop for all the charts of one run.
    max_render_seconds_per_run: float = 900.0
    #: Evaluation steps of one template execution (with the templates it includes).
    max_template_steps: int = 5_000_000
    #: Characters one template execution may write.
    max_template_output_chars: int = 16 * MIB
    #: Characters all templates of one render (one values set) may write together.
    max_render_output_chars: int = 24 * MIB
    #: Iterations of one `range` action.
    max_range_iterations: int = 1_000_000
    #: Characters of one function result (`repeat`, `wrapWith`, `toJson` ...); checked before the result is
    #: built wherever its size follows from the arguments.
    max_function_result_chars: int = 16 * MIB
    #: Items of one function result (`until`, `concat` ...), and nodes of a structure a function walks
    #: (`toJson`, `deepCopy`, `eq` on lists that share their parts).
    max_function_result_items: int = 1_000_000
    #: Compressed size of one chart archive (`.tgz`) read from disk.
    max_chart_archive_bytes: int = 50 * MIB
    #: Decompressed size of one file of a chart (Helm's MaxDecompressedFileSize).
    max_chart_file_bytes: int = 5 * MIB
    #: Decompressed size of a whole chart with its subcharts and nested archives (Helm's
    #: MaxDecompressedChartSize); counted while decompressing, headers and skipped data included.
    max_chart_bytes: int = 100 * MIB
    #: Files of a chart with its subcharts.
    max_chart_files: int = 20_000
    #: Members of one chart archive, of any type (directories and links included).
    max_archive_members: int = 20_000
    #: Decompressed bytes per compressed byte of an archive, once it is past 1 MiB (gzip of text: 3-10).
    max_archive_ratio: int = 100
    #: Levels of subcharts (`charts/` inside `charts/`).
    max_subchart_depth: int = 20


DEFAULT_LIMITS = Limits()
