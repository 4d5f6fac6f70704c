"""Network-namespace topology for the platform tests, and the probes run in it.

    wan (eth0 198.51.100.1/24) <-> device eth0 198.51.100.2/24
    device eth1 = the LAN gateway <-> lan (eth0, address from DHCP or static)

Names carry the test process's PID and a counter so parallel runs never meet;
stale ones of the same name are deleted first and every namespace is deleted
again on exit, also when the test fails (context manager). Processes started in
the namespaces are recorded and stopped by PID.

Run as a script inside a namespace it is the probe itself:
    netns_tools.py listen TCP_PORTS UDP_PORTS   answers "ok" on each port
    netns_tools.py probe HOST SPEC...           SPEC = tcp:PORT | udp:PORT; prints JSON
"""

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

WAN_DEVICE = "198.51.100.2"
WAN_PEER = "198.51.100.1"
_counter = itertools.count()


def run(*args, check=True, timeout=30, **kwargs):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout,
                          check=check, **kwargs)


class Topology:
    def __init__(self, lan_gateway_cidr):
        tag = f"{os.getpid()}x{next(_counter)}"
        self.dev, self.wan, self.lan = (f"atx{role}{tag}" for role in ("d", "w", "l"))
        self.lan_gateway_cidr = lan_gateway_cidr
        self.procs = []

    def __enter__(self):
        try:
            self._create()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def _create(self):
        for ns in (self.dev, self.wan, self.lan):
            run("ip", "netns", "del", ns, check=False)
            run("ip", "netns", "add", ns)
        tag = self.dev[4:]
        pairs = [(f"w{tag}"[:15], f"d0{tag}"[:15], self.wan, "eth0"), (f"l{tag}"[:15], f"d1{tag}"[:15], self.lan, "eth1")]
        for peer, dev_end, peer_ns, dev_name in pairs:
            run("ip", "link", "add", peer, "type", "veth", "peer", "name", dev_end)
            run("ip", "link", "set", peer, "netns", peer_ns)
            run("ip", "link", "set", dev_end, "netns", self.dev)
            run("ip", "-n", self.dev, "link", "set", dev_end, "name", dev_name)
            run("ip", "-n", peer_ns, "link", "set", peer, "name", "eth0")
        for ns in (self.dev, self.wan, self.lan):
            run("ip", "-n", ns, "link", "set", "lo", "up")
        run("ip", "-n", self.dev, "addr", "add", f"{WAN_DEVICE}/24", "dev", "eth0")
        run("ip", "-n", self.wan, "addr", "add", f"{WAN_PEER}/24", "dev", "eth0")
        run("ip", "-n", self.dev, "addr", "add", self.lan_gateway_cidr, "dev", "eth1")
        for ns, link in ((self.dev, "eth0"), (self.dev, "eth1"), (self.wan, "eth0"), (self.lan, "eth0")):
            run("ip", "-n", ns, "link", "set", link, "up")

    def exec(self, ns, *args, check=True, timeout=30, **kwargs):
        return run("ip", "netns", "exec", ns, *args, check=check, timeout=timeout, **kwargs)

    def spawn(self, ns, *args, **kwargs):
        proc = subprocess.Popen(["ip", "netns", "exec", ns, *map(str, args)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, **kwargs)
        self.procs.append(proc)
        return proc

    def stop(self, proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    def close(self):
        for proc in self.procs:
            try:
                self.stop(proc)
            except Exception:
                pass
        for ns in (self.dev, self.wan, self.lan):
            run("ip", "netns", "del", ns, check=False)

    def listen(self, ns, tcp=(), udp=()):
        proc = self.spawn(ns, sys.executable, __file__, "listen", ",".join(map(str, tcp)), ",".join(map(str, udp)))
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        return proc

    def probe(self, ns, host, *specs):
        """{"tcp:443": True, ...}: True when the port answered within a second."""
        out = self.exec(ns, sys.executable, __file__, "probe", host, *specs).stdout
        return json.loads(out)

    def ping(self, ns, host):
        return self.exec(ns, "busybox", "ping", "-c", "1", "-W", "1", host, check=False).returncode == 0


def _listen(tcp_ports, udp_ports):
    sockets = []
    for port in tcp_ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        s.listen(16)
        sockets.append(s)
        threading.Thread(target=_serve_tcp, args=(s,), daemon=True).start()
    for port in udp_ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", port))
        sockets.append(s)
        threading.Thread(target=_serve_udp, args=(s,), daemon=True).start()
    print("ready", flush=True)
    time.sleep(600)  # bounded: the test stops us long before


def _serve_tcp(s):
    while True:
        conn, _ = s.accept()
        conn.sendall(b"ok")
        conn.close()


def _serve_udp(s):
    while True:
        _, peer = s.recvfrom(512)
        s.sendto(b"ok", peer)


def _probe_one(host, spec):
    proto, port = spec.split(":")
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    with socket.socket(socket.AF_INET, kind) as s:
        s.settimeout(1.0)
        try:
            if proto == "tcp":
                s.connect((host, int(port)))
            else:
                s.sendto(b"hi", (host, int(port)))
            return s.recv(16) == b"ok"
        except OSError:
            return False


def _probe(host, specs):
    results = {}
    threads = [threading.Thread(target=lambda sp=sp: results.__setitem__(sp, _probe_one(host, sp))) for sp in specs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(results))


if __name__ == "__main__":
    ports = lambda text: [int(p) for p in text.split(",") if p]  # noqa: E731
    if sys.argv[1] == "listen":
        _listen(ports(sys.argv[2]), ports(sys.argv[3]))
    elif sys.argv[1] == "probe":
        _probe(sys.argv[2], sys.argv[3:])
