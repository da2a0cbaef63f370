"""A TCP proxy in front of Redis that can stop forwarding: while it is stopped, what clients send
is swallowed and nothing comes back, as when a network drops Redis's packets (not a refused
connection, which fails fast). New connections are accepted and then hang the same way."""

import socket
import threading

from tests.faults.servers import free_port


class Blackhole:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1"):
        self.port = free_port()
        self._target = (target_host, target_port)
        self._forwarding = threading.Event()
        self._forwarding.set()
        self._closed = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, name="blackhole-accept", daemon=True).start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop_forwarding(self) -> None:
        self._forwarding.clear()

    def resume(self) -> None:
        self._forwarding.set()

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        for sock in self._sockets:
            sock.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            try:
                upstream = socket.create_connection(self._target)
            except OSError:  # Redis itself is down: the client sees its connection closed
                client.close()
                continue
            self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        while not self._closed.is_set():
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                sink.close()
                return
            if self._forwarding.is_set():
                try:
                    sink.sendall(data)
                except OSError:
                    return
