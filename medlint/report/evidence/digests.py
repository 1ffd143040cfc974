"""SHA-256 of the files in the evidence report's scope: exactly the bytes the run read, never a second read.

Every file a scan reads goes through the bounded reader (`medlint.reader.FileReader`) or, for a chart's own
files, the chart loader, which tell the reader the bytes they read; the configuration and the baseline are
hashed as they are read. The `Report` carries that record (`Report.file_digests`), so the digest in the
report is of what was analysed, and `sha256sum FILE` gives the same value while the file is unchanged. A
file the run refused to read (a link out of the project, a pipe, too large) has no digest, and the scope says
why.
"""

from __future__ import annotations

from dataclasses import dataclass

DIGEST_METHOD = (
    "SHA-256 of each file's bytes exactly as medlint read them for the analysis (the value sha256sum prints "
    "for an unchanged file); no file was read a second time to hash it."
)


@dataclass(frozen=True, slots=True)
class Digest:
    sha256: str | None
    problem: str | None = None
