"""Secrets: MD301 secret-in-image, MD302 plaintext-secret-value, MD303 committed-secret-manifest,
MD304 secret-on-command-line, MD305 secret-as-env-var, MD306 build-context-secrets, MD308 external-secret-config.

Every message names the key and the place, never the value (principle 6): a finding about a secret must be
safe to paste into a ticket, a SARIF dashboard or an audit record. One module per rule; the secret-name and
credential patterns (`patterns.py`, from rules/data/secret-patterns.yaml) are shared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from medlint.model.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from medlint.checks.secrets.argv import secret_on_command_line
    from medlint.checks.secrets.contexts import build_context_secrets
    from medlint.checks.secrets.environment import secret_as_env_var
    from medlint.checks.secrets.external import external_secret_config
    from medlint.checks.secrets.image import secret_in_image
    from medlint.checks.secrets.manifests import committed_secret_manifest
    from medlint.checks.secrets.plaintext import plaintext_secret_value

#: Each rule's check function and the module that holds it: a rule's module loads only when the rule runs
#: (a one-Dockerfile pre-commit run does not import the checks for manifests).
_MODULES = {
    "build_context_secrets": "contexts",
    "committed_secret_manifest": "manifests",
    "external_secret_config": "external",
    "plaintext_secret_value": "plaintext",
    "secret_as_env_var": "environment",
    "secret_in_image": "image",
    "secret_on_command_line": "argv",
}

__all__ = [
    "build_context_secrets",
    "committed_secret_manifest",
    "external_secret_config",
    "plaintext_secret_value",
    "secret_as_env_var",
    "secret_in_image",
    "secret_on_command_line",
]


__getattr__ = lazy_exports(__name__, _MODULES, globals())
