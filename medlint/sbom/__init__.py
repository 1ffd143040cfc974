"""The SOUP inventory and SBOMs: `medlint sbom`, and the supplied SBOMs MD904 and MD114 read.

- `inventory`: the inventory of one system, built by a pure function from its `Project` (images, base and
  build images, OS packages of final stages, language dependencies, Helm chart dependencies), each component
  with its purl, evidence, scope and the 62304/FDA fields medlint can derive;
- `purl`: Package URLs, written and read per the purl specification;
- `cyclonedx` and `spdx`: the writers (cyclonedx-python-lib, spdx-tools; imported only when writing);
- `read`: supplied SBOMs (CycloneDX JSON/XML, SPDX JSON) read with the standard library into the model
  (medlint.model.sbom), with positions;
- `merge`: keeping what people entered in an SBOM kept in the repository when it is regenerated.

Checks never import this package: they read `Project.sboms`, which the API fills through `read`.
"""


class SbomError(Exception):
    """A supplied SBOM cannot be used; the message names the file, the place and the problem."""
