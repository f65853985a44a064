"""Job transports: how JobInitEvents reach judges and JobCompletionEvents reach the recorder."""
from __future__ import annotations

from app.judge.transport.base import JobTransport, TransportError
from app.judge.transport.settings import TransportSettings


def build_transport(settings: TransportSettings) -> JobTransport:
    """The in-process queues when no Kafka bootstrap servers are configured, Kafka otherwise."""
    if settings.uses_kafka:
        from app.judge.transport.kafka import KafkaTransport  # kafka-python only when it is used
        return KafkaTransport(settings)
    from app.judge.transport.inprocess import InProcessTransport
    return InProcessTransport(settings)


__all__ = ["JobTransport", "TransportError", "TransportSettings", "build_transport"]
