"""Settings: read from the environment, checked at start-up, failing with the variable's name."""

from __future__ import annotations

import pytest

from app import create_app
from config import ConfigError, Settings

POOL = {"COGNITO_USER_POOL_ID": "eu-west-2_AbC123", "COGNITO_CLIENT_ID": "client123"}
# An emulator's pool, as cognito-local names them.
LOCAL = {
    "COGNITO_USER_POOL_ID": "local_5mw6owVR",
    "COGNITO_ENDPOINT_URL": "http://localhost:9229",
    "COGNITO_REGION": "us-east-1",
}


def test_settings_come_from_the_environment():
    settings = Settings.load(
        {
            **POOL,
            "TOKEN_LEEWAY_SECONDS": "2.5",
            "ACCEPTED_TOKEN_USES": "access",
            "CORS_ORIGINS": "https://a.example, https://b.example",
            "PORT": "8080",
        }
    )
    assert settings.region == "eu-west-2"  # derived from the pool id
    assert settings.issuer == "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbC123"
    assert settings.jwks_url == settings.issuer + "/.well-known/jwks.json"
    assert settings.token_leeway == 2.5
    assert settings.accepted_token_uses == frozenset({"access"})
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.port == 8080


def test_both_aws_issuer_forms_are_accepted_by_default():
    settings = Settings.load(POOL)
    assert settings.issuers == {
        "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbC123",
        "https://issuer-cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbC123",
    }


def test_an_emulators_pool_takes_its_exact_issuer_and_the_jwks_beneath_it():
    issuer = "http://localhost:9229/local_5mw6owVR"
    settings = Settings.load({**POOL, **LOCAL, "COGNITO_ISSUER": issuer})
    assert settings.issuers == {issuer}
    assert settings.jwks_url == issuer + "/.well-known/jwks.json"
    assert settings.region == "us-east-1"


def test_accepted_client_ids_add_to_the_servers_own():
    settings = Settings.load({**POOL, "COGNITO_ACCEPTED_CLIENT_IDS": "browser123, machine456"})
    assert settings.client_ids == {"client123", "browser123", "machine456"}
    assert settings.client_id == "client123"  # still the one users sign in with


def test_overrides_beat_the_environment():
    assert Settings.load(POOL, {"port": 9000}).port == 9000


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({}, "COGNITO_USER_POOL_ID"),
        ({"COGNITO_USER_POOL_ID": "eu-west-2_AbC123"}, "COGNITO_CLIENT_ID"),
        ({**POOL, "COGNITO_USER_POOL_ID": "not-a-pool"}, "COGNITO_USER_POOL_ID"),
        ({**POOL, "COGNITO_REGION": "us-east-1"}, "COGNITO_REGION"),
        ({**POOL, "PORT": "eighty"}, "PORT"),
        ({**POOL, "TOKEN_LEEWAY_SECONDS": "-1"}, "TOKEN_LEEWAY_SECONDS"),
        ({**POOL, "ACCEPTED_TOKEN_USES": "refresh"}, "ACCEPTED_TOKEN_USES"),
        ({**POOL, "COGNITO_JWKS_URL": "http://keys.example/jwks.json"}, "COGNITO_JWKS_URL"),
        ({**POOL, "LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({**POOL, "COGNITO_ISSUER": "localhost:9229/pool"}, "COGNITO_ISSUER"),
        ({**POOL, "COGNITO_ACCEPTED_CLIENT_IDS": "ok123, not a client"}, "COGNITO_ACCEPTED_CLIENT_IDS"),
        ({**POOL, "COGNITO_USER_POOL_ID": "local_5mw6owVR"}, "COGNITO_ENDPOINT_URL"),  # AWS ids name a region
        ({**POOL, **LOCAL, "COGNITO_REGION": ""}, "COGNITO_REGION"),  # ... others need it given
        ({**POOL, **LOCAL, "COGNITO_USER_POOL_ID": "local pool"}, "COGNITO_USER_POOL_ID"),
        ({**POOL, "RATE_LIMIT_LOGIN": "often"}, "RATE_LIMIT_LOGIN"),
        ({**POOL, "MAX_BODY_BYTES": "12"}, "MAX_BODY_BYTES"),
    ],
)
def test_a_missing_or_bad_setting_fails_at_start_up_naming_it(environ, named):
    with pytest.raises(ConfigError, match=named):
        Settings.load(environ)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/jwks.json", "http://localhost:9/jwks.json", "http://[::1]:9/jwks"])
def test_plain_http_jwks_is_allowed_on_loopback(url):
    assert Settings.load({**POOL, "COGNITO_JWKS_URL": url}).jwks_url == url


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/jwks.json",
        "http://10.0.0.1/jwks.json",
        "http://127.0.0.1.example.com/jwks.json",  # a name that reads like loopback is not
        "http://localhost.example.com/jwks.json",
        "ftp://127.0.0.1/jwks.json",
    ],
)
def test_plain_http_jwks_is_refused_anywhere_else(url):
    with pytest.raises(ConfigError, match="COGNITO_JWKS_URL must be https"):
        Settings.load({**POOL, "COGNITO_JWKS_URL": url})


def test_the_app_refuses_to_start_without_a_pool(monkeypatch):
    with pytest.raises(ConfigError, match="COGNITO_USER_POOL_ID"):
        create_app()


def test_the_app_reads_its_pool_from_the_environment(monkeypatch, pool):
    monkeypatch.setenv("COGNITO_USER_POOL_ID", pool["user_pool_id"])
    monkeypatch.setenv("COGNITO_CLIENT_ID", pool["client_id"])
    monkeypatch.setenv("COGNITO_ENDPOINT_URL", pool["endpoint_url"])
    monkeypatch.setenv("COGNITO_JWKS_URL", pool["jwks_url"])
    client = create_app().test_client()
    assert client.get("/auth/config").json["user_pool_id"] == pool["user_pool_id"]
    body = {"username": "envuser", "email": "e@example.com", "password": "Passw0rd!"}
    assert client.post("/auth/register", json=body).status_code == 201
