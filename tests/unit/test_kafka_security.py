"""NEWSMON_KAFKA_* settings: checked at start-up, turned into client options, never shown."""

import pytest

from agents.errors import ConfigErrors
from agents.kafka.security import client_options, faust_credentials, security_from_env
from agents.settings import load_settings


def test_plaintext_is_the_default() -> None:
    settings = load_settings({})
    assert client_options(settings.kafka) == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(settings.kafka) is None
    assert settings.web_host == "127.0.0.1"  # web and metrics on loopback unless told otherwise


def test_sasl_settings_become_client_options_and_faust_credentials() -> None:
    security = security_from_env(
        {
            "NEWSMON_KAFKA_SECURITY_PROTOCOL": "sasl_plaintext",
            "NEWSMON_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "NEWSMON_KAFKA_SASL_USERNAME": "newsmon",
            "NEWSMON_KAFKA_SASL_PASSWORD": "s3cret",
        }
    )
    options = client_options(security)
    assert options["security_protocol"] == "SASL_PLAINTEXT"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_password"] == "s3cret"
    credentials = faust_credentials(security)
    assert credentials.username == "newsmon"
    assert "s3cret" not in repr(security)


def test_every_problem_is_named(tmp_path: object) -> None:
    with pytest.raises(ConfigErrors) as caught:
        security_from_env(
            {
                "NEWSMON_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                "NEWSMON_KAFKA_SASL_MECHANISM": "GSSAPI",
                "NEWSMON_KAFKA_SSL_CAFILE": "/nonexistent/ca.pem",
            }
        )
    text = str(caught.value)
    for name in ("SASL_MECHANISM", "SASL_USERNAME", "SASL_PASSWORD", "SSL_CAFILE"):
        assert f"NEWSMON_KAFKA_{name}" in text
    with pytest.raises(ConfigErrors, match="NEWSMON_KAFKA_SECURITY_PROTOCOL"):
        security_from_env({"NEWSMON_KAFKA_SECURITY_PROTOCOL": "TLS"})


def test_stall_and_session_settings_are_checked() -> None:
    assert load_settings({"NEWSMON_STALL_SECONDS": "0"}).stall_seconds == 0
    with pytest.raises(Exception, match="NEWSMON_SESSION_TIMEOUT"):
        load_settings({"NEWSMON_SESSION_TIMEOUT": "soon"})


def test_cluster_ids_never_look_like_an_option() -> None:
    from agents.kafka.broker import new_cluster_id

    ids = {new_cluster_id() for _ in range(2000)}
    assert len(ids) == 2000 and not any(i.startswith("-") for i in ids)
