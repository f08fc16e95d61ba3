"""gunicorn serving bench/wsgi_bench.py as docs/operations.md serves wsgi.py
in production: sync workers, one per core, the access log (paths only)
written to stdout, which is thrown away here."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url, workers: int | None = None):
        self.url, self.workers, self.port = url, workers or os.cpu_count() or 2, free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        # A file, not a pipe: a full pipe would stall the server.
        self.errors = tempfile.TemporaryFile("w+")

    def __enter__(self) -> "Server":
        gunicorn = Path(sys.executable).parent / "gunicorn"
        env = {**os.environ, "GRID_DATABASE_URL": self.url.render_as_string(hide_password=False)}
        self.process = subprocess.Popen(
            [str(gunicorn), "--no-control-socket", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
             "--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT, "bench.wsgi_bench:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.errors)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.error_log()}")
            try:
                with urllib.request.urlopen(self.base_url + "/bench/hello", timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def error_log(self) -> str:
        self.errors.seek(0)
        return self.errors.read()[-4000:]

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.errors.close()
