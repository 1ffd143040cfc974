"""The shared secret detection tells secrets from pointers to secrets (issue 14, family 9).

A name that points to a secret is no secret: it names a key, field or the name of a Kubernetes Secret
(`tokenSecretKey`, `keystorePasswordSecretKey`), a key beside the Secret a sibling names
(`serviceAccountSecretKey` beside `serviceAccountSecret`), or a setting about one (`tsigSecretAlg`,
`GF_AUTH_ANONYMOUS_ORG_ROLE`). A value that points to a secret is no secret either: a path, a file name, a
secret-store reference, or the name of a setting. Credentials that merely look like pointers stay secrets.
"""

from __future__ import annotations

import pytest

from medlint.checks.secrets.patterns import is_literal_secret_value, is_secret_name


@pytest.mark.parametrize(
    "name",
    [
        "tokenSecretKey",
        "tokenSecretName",
        "tokenSecretRef",
        "passwordKey",
        "userPasswordKey",
        "existingSecretPasswordKey",
        "keystorePasswordSecretKey",
        "keyPasswordSecretKey",
        "passwordsSecretKeystoreKey",
        "apiKeySecretKey",
        "adminPasswordSecret",
        "credentialsSecret",
        "secretKeyRef",
        "tsigSecretAlg",
        "GF_AUTH_ANONYMOUS_ORG_ROLE",
        "GF_AUTH_GENERIC_OAUTH_ALLOW_SIGN_UP",
        "GF_AUTH_DISABLE_LOGIN_FORM",
        "vaultTokenRole",
        "tokenHost",
        "POSTGRES_HOST_AUTH_METHOD",
        "DB_PASSWORD_FILE",
        "passwordFilename",
        "authorName",
    ],
)
def test_pointer_names(name: str) -> None:
    assert not is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "DB_PASSWORD",
        "postgresPassword",
        "apiKey",
        "secretKey",
        "awsSecretKey",
        "AWS_SECRET_ACCESS_KEY",
        "jwtSecretKey",
        "SECRET_KEY_BASE",
        "clientSecret",
        "TWITTER_ACCESS_TOKEN_SECRET",
        "REDIS_AUTH",
        "basicAuth",
        "AUTH_KEY",
        "SECURE_AUTH_KEY",
        "AUTH_SALT",
        "GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET",
        "htpasswd",
        "adminPasswords",
    ],
)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


def test_a_key_beside_the_secret_a_sibling_names_is_a_pointer() -> None:
    assert not is_secret_name("serviceAccountSecretKey", siblings=("serviceAccountSecret", "enabled"))
    assert not is_secret_name("secretKey", siblings=("secretName",))
    assert not is_secret_name("tokenSecretKey", siblings=("tokenSecretName",))
    # Beside `existingSecret`, `secretKey` is still the (MinIO, S3) secret key: the sibling names another Secret.
    assert is_secret_name("secretKey", siblings=("existingSecret", "accessKey"))
    assert is_secret_name("serviceAccountSecretKey", siblings=("project",))


@pytest.mark.parametrize(
    "value",
    [
        "/run/secrets/db-password",
        "./keys/device.key",
        "~/.config/token",
        "C:\\secrets\\token.txt",
        "credentials.json",
        "tls.key",
        "vault:secret/data/device#password",
        "ref+vault://secret/device#/password",
        "op://devices/api/credential",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:device-token-AbCdEf",
        "arn:aws:ssm:eu-west-1:123456789012:parameter/device/token",
        "projects/device-prod/secrets/client-secret/versions/latest",
        "required",
        "None",
        "scram-sha-256",
        "Bearer",
        "${TOKEN}",
        "{{ .Values.token }}",
        "3600",
        "true",
    ],
)
def test_pointer_values(value: str) -> None:
    assert not is_literal_secret_value(value)


@pytest.mark.parametrize(
    "value",
    [
        "hunter2",
        "changeme",
        "admin",
        "password",
        "P@ssw0rd!",
        "postgres://device:hunter2@db/device",
        "s3cr3t token",
    ],
)
def test_secret_values(value: str) -> None:
    assert is_literal_secret_value(value)
