"""How newsmon authenticates to Kafka: PLAINTEXT (the local default), SSL, SASL_PLAINTEXT or
SASL_SSL with PLAIN or SCRAM, from NEWSMON_KAFKA_* environment variables.

The settings are one per process, like the broker address, so ``use`` installs them once at
start-up and every kafka-python client here takes ``client_options()``; Faust gets the same as
``faust_credentials()``. The password is never part of a repr or a log line.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.errors import ConfigError, ConfigErrors

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
PREFIX = "NEWSMON_KAFKA_"


@dataclass(frozen=True)
class KafkaSecurity:
    protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None

    @property
    def uses_sasl(self) -> bool:
        return self.protocol.startswith("SASL_")

    @property
    def uses_ssl(self) -> bool:
        return self.protocol.endswith("SSL")


def security_from_env(env: Mapping[str, str]) -> KafkaSecurity:
    """Read and check the NEWSMON_KAFKA_* variables; every problem is named at once."""

    def value(name: str) -> str | None:
        raw = env.get(PREFIX + name, "").strip()
        return raw or None

    protocol = (value("SECURITY_PROTOCOL") or "PLAINTEXT").upper()
    mechanism = (
        value("SASL_MECHANISM") or ("PLAIN" if protocol.startswith("SASL_") else "")
    ).upper()
    files = {name: value(name) for name in ("SSL_CAFILE", "SSL_CERTFILE", "SSL_KEYFILE")}
    problems = []

    def problem(name: str, message: str) -> None:
        problems.append(ConfigError("environment", None, PREFIX + name, message))

    if protocol not in PROTOCOLS:
        problem("SECURITY_PROTOCOL", f"expected one of {', '.join(PROTOCOLS)}, got {protocol!r}")
    if protocol.startswith("SASL_"):
        if mechanism not in MECHANISMS:
            problem("SASL_MECHANISM", f"expected one of {', '.join(MECHANISMS)}, got {mechanism!r}")
        for name in ("SASL_USERNAME", "SASL_PASSWORD"):
            if value(name) is None:
                problem(name, f"required with {protocol}")
    for name, path in files.items():
        if path is not None and not Path(path).is_file():
            problem(name, f"no such file: {path}")
    if problems:
        raise ConfigErrors(problems)
    return KafkaSecurity(
        protocol=protocol,
        sasl_mechanism=mechanism or None,
        sasl_username=value("SASL_USERNAME"),
        sasl_password=value("SASL_PASSWORD"),
        ssl_cafile=Path(files["SSL_CAFILE"]) if files["SSL_CAFILE"] else None,
        ssl_certfile=Path(files["SSL_CERTFILE"]) if files["SSL_CERTFILE"] else None,
        ssl_keyfile=Path(files["SSL_KEYFILE"]) if files["SSL_KEYFILE"] else None,
    )


_current = KafkaSecurity()


def use(security: KafkaSecurity) -> None:
    global _current
    _current = security


def current() -> KafkaSecurity:
    return _current


def client_options(security: KafkaSecurity | None = None) -> dict[str, Any]:
    """Keyword arguments for kafka-python's producer, consumer and admin client."""
    security = security or _current
    options: dict[str, Any] = {"security_protocol": security.protocol}
    if security.uses_sasl:
        options.update(
            sasl_mechanism=security.sasl_mechanism,
            sasl_plain_username=security.sasl_username,
            sasl_plain_password=security.sasl_password,
        )
    if security.uses_ssl:
        options.update(
            ssl_cafile=str(security.ssl_cafile) if security.ssl_cafile else None,
            ssl_certfile=str(security.ssl_certfile) if security.ssl_certfile else None,
            ssl_keyfile=str(security.ssl_keyfile) if security.ssl_keyfile else None,
        )
    return options


def ssl_context(security: KafkaSecurity) -> ssl.SSLContext:
    context = ssl.create_default_context(
        cafile=str(security.ssl_cafile) if security.ssl_cafile else None
    )
    if security.ssl_certfile:
        context.load_cert_chain(
            str(security.ssl_certfile), str(security.ssl_keyfile) if security.ssl_keyfile else None
        )
    return context


def faust_credentials(security: KafkaSecurity | None = None) -> Any:
    """Faust's ``broker_credentials`` for the same settings (None for PLAINTEXT)."""
    import faust

    security = security or _current
    context = ssl_context(security) if security.uses_ssl else None
    if security.uses_sasl:
        return faust.SASLCredentials(
            username=security.sasl_username,
            password=security.sasl_password,
            ssl_context=context,
            mechanism=security.sasl_mechanism,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None
