"""Which Linux distribution an image is built on, read from its reference, for the purls of OS packages.

A Dockerfile's final stage installs packages from the distribution of its base image: `debian:bullseye-slim`
is Debian 11, `python:3.12-slim-bookworm` Debian 12, `node:20-alpine3.19` Alpine 3.19, `ubuntu:22.04` Ubuntu
22.04. The purl of such a package names the vendor (`pkg:deb/debian/...`) and the release as the `distro`
qualifier in the `<id>-<version>` form SBOM tools write (`distro=debian-11`, `distro=alpine-3.19`); a
release that cannot be read from the reference leaves the qualifier out rather than guess (`node:16` is
Debian-based, but which release it floats to is not in its name).

Sources of the release names: https://www.debian.org/releases/ , https://wiki.ubuntu.com/Releases ,
https://alpinelinux.org/releases/ (retrieved 2026-12-07).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medlint.model.images import ImageRef

DEBIAN_CODENAMES = {
    "jessie": "8",
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
    "forky": "14",
}
UBUNTU_CODENAMES = {
    "trusty": "14.04",
    "xenial": "16.04",
    "bionic": "18.04",
    "focal": "20.04",
    "jammy": "22.04",
    "noble": "24.04",
    "plucky": "25.04",
    "questing": "25.10",
    "resolute": "26.04",
}
#: Images that are a distribution themselves: repository -> (vendor, distro id, package family).
_DISTRIBUTION_IMAGES = {
    "debian": ("debian", "debian", "deb"),
    "bitnami/minideb": ("debian", "debian", "deb"),
    "ubuntu": ("ubuntu", "ubuntu", "deb"),
    "alpine": ("alpine", "alpine", "apk"),
    "fedora": ("fedora", "fedora", "rpm"),
    "centos": ("centos", "centos", "rpm"),
    "rockylinux": ("rocky", "rocky", "rpm"),
    "rockylinux/rockylinux": ("rocky", "rocky", "rpm"),
    "almalinux": ("almalinux", "almalinux", "rpm"),
    "amazonlinux": ("amazon", "amzn", "rpm"),
    "oraclelinux": ("oracle", "ol", "rpm"),
    "opensuse/leap": ("opensuse", "opensuse-leap", "rpm"),
    "opensuse/tumbleweed": ("opensuse", "opensuse-tumbleweed", "rpm"),
    "registry.access.redhat.com/ubi8": ("redhat", "rhel", "rpm"),
    "registry.access.redhat.com/ubi9": ("redhat", "rhel", "rpm"),
    "registry.access.redhat.com/ubi8/ubi-minimal": ("redhat", "rhel", "rpm"),
    "registry.access.redhat.com/ubi9/ubi-minimal": ("redhat", "rhel", "rpm"),
    "redhat/ubi8": ("redhat", "rhel", "rpm"),
    "redhat/ubi9": ("redhat", "rhel", "rpm"),
}
#: Who supplies the packages of each vendor namespace (the SBOM's supplier of an OS package).
VENDOR_SUPPLIERS = {
    "debian": "Debian",
    "ubuntu": "Canonical (Ubuntu)",
    "alpine": "Alpine Linux",
    "fedora": "Fedora Project",
    "centos": "CentOS Project",
    "rocky": "Rocky Enterprise Software Foundation",
    "almalinux": "AlmaLinux OS Foundation",
    "amazon": "Amazon Web Services",
    "oracle": "Oracle",
    "opensuse": "openSUSE Project",
    "redhat": "Red Hat",
}
#: The vendor assumed for a package family when the base image does not name its distribution.
DEFAULT_VENDORS = {"deb": "debian", "apk": "alpine"}
_ALPINE_MARKER = re.compile(r"(?:^|[-_.])alpine(\d+\.\d+)?(?=$|[-_.])")
_NUMERIC = re.compile(r"^v?(\d+(?:\.\d+)?)")


@dataclass(frozen=True, slots=True)
class Distribution:
    """A base image's distribution: the purl vendor (`debian`), its `distro` qualifier (`debian-11`, or None
    when the release is unknown) and the package family (`deb`, `apk`, `rpm`)."""

    vendor: str
    distro: str | None
    family: str

    @property
    def supplier(self) -> str | None:
        return VENDOR_SUPPLIERS.get(self.vendor)


def _marker(tag: str, names: dict[str, str]) -> str | None:
    for word in re.split(r"[-_.]", tag.lower()):
        if word in names:
            return names[word]
    return None


def distribution_of(image: ImageRef) -> Distribution | None:
    """The distribution an image reference names, from the repository and the tag; None when neither says."""
    repository = image.name.lower()
    repository = repository[len("library/") :] if repository.startswith("library/") else repository
    tag = (image.tag or "").lower()
    known = _DISTRIBUTION_IMAGES.get(repository)
    if known is not None:
        vendor, distro_id, family = known
        version: str | None = None
        if vendor == "debian":
            version = _marker(tag, DEBIAN_CODENAMES)
            numeric = _NUMERIC.match(tag)
            version = version or (numeric.group(1).split(".")[0] if numeric else None)
        elif vendor == "ubuntu":
            numeric = re.match(r"^(\d{2}\.\d{2})", tag)
            version = _marker(tag, UBUNTU_CODENAMES) or (numeric.group(1) if numeric else None)
        elif vendor == "redhat":
            digit = re.search(r"ubi(\d+)", repository)
            version = digit.group(1) if digit else None
        else:
            numeric = _NUMERIC.match(tag)
            version = numeric.group(1) if numeric else None
        return Distribution(vendor, f"{distro_id}-{version}" if version else None, family)
    alpine = _ALPINE_MARKER.search(tag)
    if alpine is not None:
        release = alpine.group(1)
        return Distribution("alpine", f"alpine-{release}" if release else None, "apk")
    debian = _marker(tag, DEBIAN_CODENAMES)
    if debian is not None:
        return Distribution("debian", f"debian-{debian}", "deb")
    ubuntu = _marker(tag, UBUNTU_CODENAMES)
    if ubuntu is not None:
        return Distribution("ubuntu", f"ubuntu-{ubuntu}", "deb")
    return None
