"""Helm's built-in objects ``.Capabilities``, ``.Release`` and ``.Template``.

Defaults are those of ``helm template`` (client-only install), read from
Helm's pkg/chartutil/capabilities.go, pkg/chartutil/values.go
(``ToRenderValues``) and pkg/action/install.go:

* ``.Release``: a map ``{Name: "release-name", Namespace: "default",
  IsInstall: true, IsUpgrade: false, Revision: 1, Service: "Helm"}``
  (``helm template --is-upgrade`` flips the two flags);
* ``.Capabilities.KubeVersion``: ``v1.20.0`` (Major ``"1"``, Minor ``"20"``),
  Helm's source default, which its own golden test output shows.  Release
  binaries replace it at build time with the client-go version they were built
  against (for example v1.31.0 for Helm 3.16), so pass ``kube_version`` to
  reproduce a particular ``helm`` binary or ``--kube-version``;
* ``.Capabilities.APIVersions``: the group/versions client-go's scheme knows
  (plus any ``--api-versions``); ``Has`` is an exact string match, so
  ``Has "apps/v1/Deployment"`` is false under ``helm template``. medlint's
  renderer passes instead the group/versions the target Kubernetes version
  serves by default (:mod:`medlint.helm.kube_apis`);
* ``.Template``: ``{Name: "<chart>/templates/x.yaml", BasePath: "<chart>/templates"}``.

Go fields are attributes and Go methods are methods with the Go name
(``GitVersion``, ``Has``, ``String``); the engine calls a method named in a
field chain, as Go does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from medlint.helm.functions.semver import parse_version

__all__ = [
    "DEFAULT_API_VERSIONS",
    "DEFAULT_KUBE_VERSION",
    "Capabilities",
    "HelmVersion",
    "KubeVersion",
    "VersionSet",
    "make_capabilities",
    "release_object",
    "template_object",
]

DEFAULT_KUBE_VERSION = "v1.20.0"

# Group/versions registered in client-go's scheme plus apiextensions (what
# Helm's allKnownVersions() returns), for the Kubernetes 1.2x-1.3x era.
DEFAULT_API_VERSIONS: tuple[str, ...] = (
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1beta1",
    "admissionregistration.k8s.io/v1alpha1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1beta1",
    "authentication.k8s.io/v1alpha1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1",
    "coordination.k8s.io/v1beta1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "networking.k8s.io/v1alpha1",
    "node.k8s.io/v1",
    "node.k8s.io/v1beta1",
    "node.k8s.io/v1alpha1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1alpha2",
    "scheduling.k8s.io/v1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1alpha1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1alpha1",
    "apiextensions.k8s.io/v1",
    "apiextensions.k8s.io/v1beta1",
)


@dataclass(frozen=True)
class KubeVersion:
    """``.Capabilities.KubeVersion``: ``.Version``, ``.Major``, ``.Minor``, ``.GitVersion``."""

    Version: str
    Major: str
    Minor: str

    go_type_name = "chartutil.KubeVersion"
    go_kind = "struct"

    def GitVersion(self) -> str:
        """Deprecated alias of ``.Version`` that charts still use with semverCompare."""
        return self.Version

    def String(self) -> str:
        return self.Version

    def go_json(self) -> dict[str, str]:
        return {"Version": self.Version, "Major": self.Major, "Minor": self.Minor}

    def __str__(self) -> str:
        return self.Version


class VersionSet(list):
    """``.Capabilities.APIVersions``: a list of ``group/version`` strings with ``Has``."""

    go_type_name = "chartutil.VersionSet"

    def Has(self, api_version: Any) -> bool:
        """Exact membership, as Helm's VersionSet.Has."""
        return api_version in self


@dataclass(frozen=True)
class HelmVersion:
    """``.Capabilities.HelmVersion`` (Helm's BuildInfo)."""

    Version: str = "v3.16.0"
    GitCommit: str = ""
    GitTreeState: str = ""
    GoVersion: str = "go1.22.0"

    go_type_name = "version.BuildInfo"
    go_kind = "struct"

    def String(self) -> str:
        return "{" + " ".join((self.Version, self.GitCommit, self.GitTreeState, self.GoVersion)) + "}"

    def go_json(self) -> dict[str, str]:
        return {
            "version": self.Version,
            "git_commit": self.GitCommit,
            "git_tree_state": self.GitTreeState,
            "go_version": self.GoVersion,
        }


@dataclass(frozen=True)
class Capabilities:
    """``.Capabilities``."""

    KubeVersion: KubeVersion
    APIVersions: VersionSet
    HelmVersion: HelmVersion

    go_type_name = "*chartutil.Capabilities"
    go_kind = "ptr"

    def go_json(self) -> dict[str, Any]:
        return {
            "KubeVersion": self.KubeVersion.go_json(),
            "APIVersions": list(self.APIVersions),
            "HelmVersion": self.HelmVersion.go_json(),
        }


def parse_kube_version(version: str) -> KubeVersion:
    """Helm's ParseKubeVersion: ``1.16`` becomes ``v1.16.0`` (raises on an invalid version)."""
    parsed = parse_version(version)
    return KubeVersion("v" + parsed.String(), str(parsed.major), str(parsed.minor))


def make_capabilities(
    kube_version: str | None = None,
    api_versions: Iterable[str] = (),
    helm_version: HelmVersion | None = None,
    base_api_versions: Iterable[str] = DEFAULT_API_VERSIONS,
) -> Capabilities:
    """``.Capabilities`` as ``helm template [--kube-version V] [--api-versions X ...]`` builds it."""
    kube = parse_kube_version(kube_version or DEFAULT_KUBE_VERSION)
    versions = VersionSet(base_api_versions)
    versions.extend(api_versions)
    return Capabilities(kube, versions, helm_version or HelmVersion())


def release_object(
    name: str = "release-name", namespace: str = "default", is_upgrade: bool = False, revision: int = 1
) -> dict[str, Any]:
    """``.Release`` as Helm's ToRenderValues builds it (a plain map)."""
    return {
        "Name": name,
        "Namespace": namespace,
        "IsUpgrade": is_upgrade,
        "IsInstall": not is_upgrade,
        "Revision": revision,
        "Service": "Helm",
    }


def template_object(name: str, base_path: str) -> dict[str, str]:
    """``.Template`` for one template file: ``Name`` and ``BasePath``."""
    return {"Name": name, "BasePath": base_path}
