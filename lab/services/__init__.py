"""Local processes for the lab: MLflow server, training service, ports, logs, stop by PID."""

from lab.services.errors import (
    PortInUseError,
    ServiceDiedError,
    ServiceError,
    ServiceTimeoutError,
)
from lab.services.mlflow_server import start_mlflow_server
from lab.services.ports import ensure_port_free, free_port, port_in_use
from lab.services.process import (
    Service,
    find_service,
    launch,
    log_tail,
    stop_all,
    stop_service,
    wait_for_http,
    wait_for_log_line,
)
from lab.services.training import TRAIN_COMMAND, start_training_service

__all__ = [
    "TRAIN_COMMAND",
    "PortInUseError",
    "Service",
    "ServiceDiedError",
    "ServiceError",
    "ServiceTimeoutError",
    "ensure_port_free",
    "find_service",
    "free_port",
    "launch",
    "log_tail",
    "port_in_use",
    "start_mlflow_server",
    "start_training_service",
    "stop_all",
    "stop_service",
    "wait_for_http",
    "wait_for_log_line",
]
