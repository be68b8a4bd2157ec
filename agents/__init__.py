"""newsmon: a self-hosted streaming news monitor (Faust agents over Kafka)."""

__version__ = "0.1.0"
