"""Check functions, grouped by concern. Each is pure: `(project, params) -> Iterable[Violation]`.

Rule files in `rules/` name them as `module.function` (for example `privileges.run_as_non_root`).
"""
