"""A TCP proxy in front of one address that a test can cut, as a network
partition would: while cut, connections are accepted and their bytes
dropped (nothing answers, nothing is refused); restored, the cut
connections are closed so that clients connect again, and bytes flow."""
import select
import socket
import threading


class CutProxy:
    def __init__(self, target_port):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.is_cut = False
        self.pairs = []  # (client, upstream or None)
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                upstream = None
                if not self.is_cut:
                    try:
                        upstream = socket.create_connection(self.target, timeout=5)
                    except OSError:
                        client.close()
                        continue
                self.pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client, upstream):
        socks = [client] + ([upstream] if upstream else [])
        try:
            while not self.stopping:
                ready, _, _ = select.select(socks, [], [], 0.2)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    with self.lock:
                        cut = self.is_cut
                    if cut or upstream is None:
                        continue  # dropped: nothing answers
                    (upstream if s is client else client).sendall(data)
        except OSError:
            return
        finally:
            for s in socks:
                try:
                    s.close()
                except OSError:
                    pass

    def cut(self):
        with self.lock:
            self.is_cut = True

    def restore(self):
        with self.lock:
            self.is_cut = False
            pairs, self.pairs = self.pairs, []
        for client, upstream in pairs:
            for s in (client, upstream):
                if s is None:
                    continue
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self):
        self.stopping = True
        self.restore()
        self.listener.close()
