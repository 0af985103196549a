"""Tables of the partner-only network store (issue 20, migration 0006).

Actors are kept only under pseudonymous labels (``A0001`` ...), assigned in a random order so that
the labels do not reveal the order of the original file. The mapping label -> original id is kept
only when asked for, Fernet-encrypted, readable by admins (every reading audited).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UTCDateTime, utcnow

__all__ = ["Network", "NetworkActor", "NetworkKey", "NetworkTie"]


class Network(Base):
    """A stored covert network; the structural aggregates are the only part that may be shown outside."""

    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    directed: Mapped[bool] = mapped_column(Boolean)
    weighted: Mapped[bool] = mapped_column(Boolean)
    has_time: Mapped[bool] = mapped_column(Boolean)
    n_actors: Mapped[int] = mapped_column(Integer)
    n_ties: Mapped[int] = mapped_column(Integer)
    n_groups: Mapped[int] = mapped_column(Integer)
    source_kind: Mapped[str] = mapped_column(String(20))  # edge list | adjacency
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))


class NetworkActor(Base):
    __tablename__ = "network_actors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(Integer, ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(20))
    role: Mapped[str | None] = mapped_column(String(60))
    group: Mapped[str | None] = mapped_column("grp", String(60))
    age: Mapped[float | None] = mapped_column(Float)
    first_seen: Mapped[str | None] = mapped_column(String(40))


class NetworkTie(Base):
    __tablename__ = "network_ties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(Integer, ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    source: Mapped[int] = mapped_column(Integer, ForeignKey("network_actors.id", ondelete="CASCADE"))
    target: Mapped[int] = mapped_column(Integer, ForeignKey("network_actors.id", ondelete="CASCADE"))
    weight: Mapped[float] = mapped_column(Float)
    time: Mapped[str | None] = mapped_column(String(40))


class NetworkKey(Base):
    """The encrypted mapping pseudonym -> original id (only when the uploader chose to keep it)."""

    __tablename__ = "network_keys"

    network_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    blob: Mapped[bytes] = mapped_column(LargeBinary)

    def __repr__(self) -> str:  # never the blob
        return f"NetworkKey(network_id={self.network_id!r})"
