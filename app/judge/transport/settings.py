"""Every knob of the job transport in one frozen object, units in the names."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TransportSettings:
    """Empty `bootstrap_servers` means the in-process transport; a comma list means Kafka.

    The Kafka timeouts default to production-friendly values that still keep a
    group join to a few seconds on Tansu, which holds a JoinGroup for half the
    session timeout (PITFALLS); tests use shorter ones.
    """

    bootstrap_servers: str = ""
    client_id: str = "sqlarena"
    consumer_group_id: str = "sqlarena-judge"
    recorder_group_id: str = "sqlarena-recorder"
    job_init_topic: str = "sqlarena.job-init"
    job_completion_topic: str = "sqlarena.job-completion"
    job_partitions: int = 8
    session_timeout_ms: int = 10000
    heartbeat_interval_ms: int = 3000
    fetch_max_wait_ms: int = 20
    request_timeout_ms: int = 30000
    max_poll_interval_ms: int = 300000
    publish_timeout_s: float = 10.0
    health_timeout_ms: int = 3000
    max_handler_attempts: int = 3
    retry_backoff_s: float = 0.5

    @property
    def servers(self) -> list[str]:
        return [server.strip() for server in self.bootstrap_servers.split(",") if server.strip()]

    @property
    def uses_kafka(self) -> bool:
        return bool(self.servers)
