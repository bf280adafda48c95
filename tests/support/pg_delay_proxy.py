"""A TCP proxy in front of PostgreSQL that holds back what follows each ``CopyDone`` message.

On a slow link the messages that end a ``COPY … TO STDOUT`` (``CommandComplete``,
``ReadyForQuery``) can arrive after the last row and the ``CopyDone``; on a local socket they
nearly never do. Tests use this to make a client wait for them (``kit.pg_copy_out``).
"""

from __future__ import annotations

import socket
import struct
import threading
import time

COPY_DONE = b"c"


class DelayingProxy:
    """Listens on 127.0.0.1 (``port``); forwards to ``upstream``, pausing ``delay`` seconds after
    each ``CopyDone`` the server sends."""

    def __init__(self, upstream: tuple[str, int], delay: float) -> None:
        self.upstream, self.delay = upstream, delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        for sock in [self.listener, *self.sockets]:
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            threading.Thread(target=self._client_to_server, args=(client, server),
                             daemon=True).start()
            threading.Thread(target=self._server_to_client, args=(server, client),
                             daemon=True).start()

    @staticmethod
    def _client_to_server(client: socket.socket, server: socket.socket) -> None:
        try:
            while data := client.recv(65536):
                server.sendall(data)
        except OSError:
            pass

    def _server_to_client(self, server: socket.socket, client: socket.socket) -> None:
        pending = b""
        try:
            while data := server.recv(65536):
                pending += data
                out = b""
                # whole messages only: a type byte, then a length that counts itself
                while len(pending) >= 5:
                    size = 1 + struct.unpack("!I", pending[1:5])[0]
                    if len(pending) < size:
                        break
                    message, pending = pending[:size], pending[size:]
                    out += message
                    if message[:1] == COPY_DONE:
                        client.sendall(out)
                        out = b""
                        time.sleep(self.delay)
                if out:
                    client.sendall(out)
        except OSError:
            pass
