"""`--release-manifest FILE`: the digest the release pipeline recorded for each image of the release.

The file is JSON: one object mapping each image reference as deployed (`[registry/]repository[:tag]`, no
digest) to its content digest (`sha256:` and 64 hex digits), validated by
`schemas/release-manifest.schema.json`. MD903 compares the digests pinned in the artifacts with it. The file
is read like every other input, within a size bound; any problem is a usage error (exit code 2) naming the
file, since a manifest that cannot be read must not let the gate pass.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

#: A release manifest lists a release's images; anything this large is refused unread.
MAX_MANIFEST_BYTES = 8 * 1024 * 1024


class ReleaseManifestError(Exception):
    """The release manifest cannot be used; the message names the file and the problem."""


def read_release_manifest(path: Path) -> Mapping[str, str]:
    """The manifest's references and digests; raises ReleaseManifestError."""
    import jsonschema

    from medlint.reader import ReadRefused, read_bytes
    from medlint.rulepack import schemas_dir

    shown = str(path)
    try:
        data = read_bytes(
            path, within=None, max_bytes=MAX_MANIFEST_BYTES, limit_name="the release manifest limit"
        )
    except ReadRefused as refusal:
        raise ReleaseManifestError(f"release manifest {shown} was not read: {refusal.message}") from None
    except OSError as error:
        raise ReleaseManifestError(
            f"cannot read release manifest {shown}: {error.strerror or error}"
        ) from None
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ReleaseManifestError(f"release manifest {shown} is not UTF-8 text") from None
    except (json.JSONDecodeError, RecursionError) as error:
        where = f":{error.lineno}:{error.colno}" if isinstance(error, json.JSONDecodeError) else ""
        message = error.msg if isinstance(error, json.JSONDecodeError) else "nested too deeply"
        raise ReleaseManifestError(f"release manifest {shown}{where}: invalid JSON: {message}") from None
    schema = json.loads((schemas_dir() / "release-manifest.schema.json").read_text(encoding="utf-8"))
    errors = sorted(
        jsonschema.Draft7Validator(schema).iter_errors(document), key=lambda error: list(error.absolute_path)
    )
    if errors:
        lines = [_in_words(error) for error in errors[:20]]
        raise ReleaseManifestError(
            f"release manifest {shown} is not valid (schemas/release-manifest.schema.json):\n"
            + "\n".join(f"  {line}" for line in dict.fromkeys(lines))
        )
    return {str(key): str(value) for key, value in document.items()}


def _in_words(error: object) -> str:
    path = list(getattr(error, "absolute_path", []))
    validator = getattr(error, "validator", "")
    schema = getattr(error, "schema", {})
    instance = getattr(error, "instance", None)
    where = f'"{path[-1]}"' if path else "the top level"
    if validator == "type" and not path:
        return "the top level must be a JSON object mapping image references to digests"
    if validator == "minProperties":
        return "the manifest lists no image"
    if validator == "pattern":
        return f"{where}: {json.dumps(instance)} is not {schema.get('message', 'valid')}"
    if validator == "propertyNames":
        return f"key {json.dumps(instance)} is not an image reference without a digest"
    if validator == "type":
        return f"{where}: the digest must be a string, not {json.dumps(instance)}"
    return f"{where}: {getattr(error, 'message', 'invalid')}"
