"""Each notification worker's heartbeat: one row per worker, renewed every time round its
loop, so that the readiness check and the metrics can tell whether any worker is alive."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from shared.extensions import Model
from shared.models.types import UTCDateTime, utcnow


class WorkerHeartbeat(Model):
    __tablename__ = "worker_heartbeat"

    # The worker's name: its host, process id and a random part
    # (shared.services.outbox_worker.worker_name).
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
