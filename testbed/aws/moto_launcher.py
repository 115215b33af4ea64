"""Runs moto (plus STS fixes and a control API) for the test bed; started by testbed/aws/moto.ts.

Prints one JSON line {"port", "control"} on stdout once both servers listen, then serves until
SIGTERM/SIGINT or until stdin closes, so that it never outlives the Node process that spawned it.
Control API (127.0.0.1, JSON over POST): /seed, /cluster-status, /identify.
"""

import json
import logging
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# The action never looks at AMIs; not loading moto's default set saves ~0.2 s per EC2 region.
os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


def _share_region_lists() -> None:
    """moto's EC2 module asks boto3 for the region lists of three partitions at import time, each
    through a new Session that parses botocore's endpoint data again (~0.3 s apiece); one shared
    session and a cache make that one parse. Region lists never change within a run."""
    import boto3.session

    shared: dict[str, Any] = {}
    cache: dict[tuple[str, str, bool], list[str]] = {}

    def get_available_regions(
        self: Any, service_name: str, partition_name: str = "aws", allow_non_regional: bool = False
    ) -> list[str]:
        key = (service_name, partition_name, allow_non_regional)
        if key not in cache:
            session = shared.setdefault("s", boto3.session.Session())
            cache[key] = session._session.get_available_regions(*key)
        return cache[key]

    boto3.session.Session.get_available_regions = get_available_regions  # type: ignore[method-assign]


try:
    _share_region_lists()
    from moto.server import ThreadedMotoServer
except ImportError:
    print("moto is not installed: run node scripts/python-tools.mjs, or pip install 'moto[server]'", file=sys.stderr)
    sys.exit(3)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moto_seed  # noqa: E402
import moto_sts  # noqa: E402

class ControlServer(ThreadingHTTPServer):
    # Every Kubernetes request checks its token here, and the action sends its reads and applies in
    # parallel bursts; the default listen queue of 5 overflowed and stalled a request for the
    # kernel's 1 s SYN retry.
    request_queue_size = 128


# Requests are serialised: moto's backends are plain dicts, and seeding is a multi-step edit.
LOCK = threading.Lock()


def make_handler(moto_port: int) -> type[BaseHTTPRequestHandler]:
    routes = {
        "/seed": moto_seed.seed,
        "/cluster-status": moto_seed.set_cluster_status,
        "/identify": lambda body: moto_sts.identify(body["url"], body["clusterName"], moto_port),
    }

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass  # stdout belongs to the ready line, stderr to real errors

        def _reply(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:  # noqa: N802
            route = routes.get(self.path)
            if route is None:
                self._reply(404, {"error": "NotFound", "message": self.path})
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with LOCK:
                    result = route(body)
                self._reply(200, result)
            except Exception as e:  # report to the caller instead of killing the thread silently
                self._reply(500, {"error": type(e).__name__, "message": str(e)})

    return Handler


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no per-request lines on stderr
    moto_sts.patch_assume_role_with_web_identity()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    moto_port = moto.get_host_and_port()[1]
    control = ControlServer(("127.0.0.1", 0), make_handler(moto_port))
    control.daemon_threads = True
    threading.Thread(target=control.serve_forever, daemon=True).start()

    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    def watch_stdin() -> None:
        # EOF means the parent is gone (or closed the pipe on purpose): don't become an orphan.
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(json.dumps({"port": moto_port, "control": control.server_address[1]}), flush=True)
    warm_region = sys.argv[1] if len(sys.argv) > 1 else "us-east-1"

    def warm() -> None:
        with LOCK:  # a seed arriving meanwhile waits instead of building the backend twice
            moto_seed.warm_up(warm_region)

    threading.Thread(target=warm, daemon=True).start()
    while not stop.wait(0.5):
        pass
    # All state is in memory and both servers run in daemon threads: a graceful shutdown would
    # only wait for their 0.5 s poll loops (and for a background import holding the GIL).
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
