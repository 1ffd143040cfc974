"""The project index (model/index.py): every cross-object lookup the rules make, built once per project."""

from __future__ import annotations

import textwrap

from medlint.model import ArtifactKind, Project
from medlint.model.index import build_index
from medlint.parsers.compose import parse_compose
from medlint.parsers.dockerfile import dockerfile_workload, parse_dockerfile
from tests.projects import project_of, workload

MANIFESTS = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: api, namespace: prod}
    spec:
      selector: {matchLabels: {app: api}}
      template:
        metadata: {labels: {app: api, tier: backend}}
        spec: {containers: [{name: api, image: "registry.example.com/api:1.0"}]}
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db}
    spec:
      selector: {matchLabels: {app: db}}
      template:
        metadata: {labels: {app: db, tier: backend}}
        spec: {containers: [{name: db, image: "postgres:16"}]}
    ---
    apiVersion: v1
    kind: Secret
    metadata: {name: db-credentials}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings, namespace: prod}
    ---
    apiVersion: external-secrets.io/v1
    kind: ExternalSecret
    metadata: {name: from-vault, namespace: prod}
    spec: {target: {name: api-token}}
    ---
    apiVersion: bitnami.com/v1alpha1
    kind: SealedSecret
    metadata: {name: sealed}
    spec: {template: {metadata: {name: unsealed}}}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: api, namespace: prod}
    ---
    apiVersion: v1
    kind: Service
    metadata: {name: api, namespace: prod}
    """


def test_objects_by_kind_and_by_kind_namespace_and_name() -> None:
    index = project_of(MANIFESTS).index
    assert [obj.name for obj in index.objects("Deployment")] == ["api"]
    assert [obj.name for obj in index.objects("ExternalSecret", "external-secrets.io/")] == ["from-vault"]
    assert index.objects("ExternalSecret", "other.io/") == ()
    assert index.named("Secret", "default", "db-credentials") is not None  # no namespace: default
    assert index.named("ConfigMap", "default", "settings") is None
    services = index.objects_by_name[("Service", "prod", "api")]
    assert (
        len(services) == 2 and index.named("Service", "prod", "api") is services[-1]
    )  # the one applied last


def test_secrets_config_maps_and_the_secrets_other_objects_create() -> None:
    index = project_of(MANIFESTS).index
    assert set(index.secrets) == {("default", "db-credentials")}
    assert set(index.config_maps) == {("prod", "settings")}
    assert set(index.external_secret_targets) == {("prod", "api-token")}
    assert set(index.sealed_secrets) == {("default", "unsealed")}


def test_pods_by_label_and_the_candidates_of_a_selector() -> None:
    project = project_of(MANIFESTS)
    index = project.index
    assert [w.name for w in index.pods_by_label[("tier", "backend")]] == ["api", "db"]
    assert [w.name for w in index.selector_candidates([("app", "api"), ("tier", "backend")])] == ["api"]
    assert index.selector_candidates([("app", "nothing")]) == ()
    assert index.selector_candidates([]) == index.kubernetes_workloads  # no pair: every workload
    assert [w.name for w in index.pods_by_namespace["prod"]] == ["api"]
    assert index.workloads_by_name[("StatefulSet", "db")] == (workload(project, "db"),)


def test_images_by_normalised_reference_across_kinds() -> None:
    manifests = project_of(MANIFESTS)
    compose = parse_compose("compose.yaml", "services:\n  db:\n    image: docker.io/library/postgres:16\n")
    dockerfile = parse_dockerfile(
        "Dockerfile", "FROM postgres:16 AS base\nFROM base\nCOPY --from=nginx:1 /a /b\n"
    )
    project = Project(
        k8s_objects=manifests.k8s_objects,
        workloads=(
            *manifests.workloads,
            *(s.workload for s in compose.services),
            dockerfile_workload(dockerfile),
        ),
        compose_projects=(compose,),
        dockerfiles=(dockerfile,),
    )
    uses = project.index.images["docker.io/library/postgres"]
    assert sorted((use.artifact.value, use.usage) for use in uses) == [
        ("compose", "service"),
        ("dockerfile", "FROM"),
        ("kubernetes", "container"),
    ]
    assert [use.usage for use in project.index.images["docker.io/library/nginx"]] == ["COPY --from"]


def test_each_dockerfile_final_stage_and_compose_services_by_workload() -> None:
    dockerfile = parse_dockerfile(
        "app/Dockerfile",
        textwrap.dedent("""\
            FROM python:3.12 AS build
            VOLUME /cache
            FROM build AS final
            VOLUME ["/data", "relative"]
            """),
    )
    compose = parse_compose("compose.yaml", "services:\n  app:\n    build: ./app\n")
    service = compose.services[0]
    image = dockerfile_workload(dockerfile)
    project = Project(
        dockerfiles=(dockerfile,), compose_projects=(compose,), workloads=(image, service.workload)
    )
    final = project.index.final_image("app/Dockerfile")
    assert final is not None and final.dockerfile is dockerfile and final.workload is image
    assert final.base.canonical_name == "docker.io/library/python" and final.volumes == (
        "/data",
        "/cache",
    )  # final stage first
    assert project.index.final_image(None) is None
    assert project.index.compose_service(service.workload) is service
    assert project.index.compose_project(service.workload) is compose
    assert project.dockerfile("app/Dockerfile") is dockerfile
    assert project.index.image_workloads == (image,) and project.index.compose_workloads == (
        service.workload,
    )


def test_the_index_is_built_once_per_project_and_kept_when_only_repository_facts_change() -> None:
    project = project_of(MANIFESTS)
    assert project.index is project.index
    widened = project.with_workspace(("a",), ("a", "b"), ())
    assert widened.index is project.index and widened.workspace_files == ("a", "b")


def test_build_index_of_nothing() -> None:
    index = build_index(k8s_objects=(), workloads=(), dockerfiles=(), compose_projects=(), charts=())
    assert index.objects("Deployment") == () and index.named("Secret", "default", "x") is None
    assert index.kubernetes_workloads == () and not index.images and not index.final_images
    assert ArtifactKind.HELM not in {use.artifact for use in index.image_uses}
