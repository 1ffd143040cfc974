"""medlint: IEC 62304 / FDA oriented compliance linter for container artifacts."""

__version__ = "0.1.0"
