"""The attack corpus (queries that try to reach the network) and a loopback listener that counts connections."""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Attack:
    id: str
    what: str
    template: str  # with {listener} for the listener's address

    def text(self, listener: str) -> str:
        return self.template.replace("{listener}", listener).replace("{CR}", "\r").replace("{BOM}", "\ufeff")


def service_attacks() -> list[Attack]:
    """Every query in service.rq.txt: SERVICE in each disguise found so far."""
    attacks: list[Attack] = []
    for block in re.split(r"^## ", (HERE / "service.rq.txt").read_text(encoding="utf-8"), flags=re.M)[1:]:
        head, _, body = block.partition("\n")
        name, _, what = head.partition(":")
        attacks.append(Attack(name.strip(), what.strip(), body.strip("\n")))
    return attacks


class Listener:
    """A TCP listener on 127.0.0.1 that records, in order, every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.peers: list[int] = []  # the client port of each connection accepted, in order
        self.markers: set[int] = set()  # the ports of connections_so_far's own connections
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, peer = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.peers.append(peer[1])
            conn.close()

    def connections_so_far(self, seconds: float = 30.0) -> int:
        """How many connections were made before this call (not counting its own markers: one is made and waited for;
        connections are accepted in the order they were made, so each earlier one is counted by then)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as marker:
            port = marker.getsockname()[1]
            self.markers.add(port)
            deadline = time.monotonic() + seconds
            while port not in self.peers:
                assert time.monotonic() < deadline, f"the listener did not accept a connection within {seconds} s"
                time.sleep(0.01)
        return len([peer for peer in self.peers[: self.peers.index(port)] if peer not in self.markers])

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=5)
        self.sock.close()
