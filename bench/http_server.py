"""The app served as docs/operations.md serves it in production: gunicorn
with sync workers, one per core, and its access log (paths only; thrown
away here), behind nginx, which buffers each request and compresses what it
sends. The proxy matters: a sync worker serves one connection at a time, so
a phone that keeps its connection open while its user reads would hold a
worker; nginx holds the idle connections and hands gunicorn whole requests."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
NGINX_CONF = """
{user}
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy; fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
  client_max_body_size 50m;
  gzip on;
  gzip_types text/css text/javascript application/javascript application/json application/geo+json;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://127.0.0.1:{app_port};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_available() -> bool:
    return shutil.which("nginx") is not None or Path("/usr/sbin/nginx").exists()


class Server:
    def __init__(self, url, workers: int | None = None):
        self.url, self.workers = url, workers or os.cpu_count() or 2
        self.app_port, self.port = free_port(), free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []
        self.dir = tempfile.TemporaryDirectory(prefix="grid-bench-")
        # A file, not a pipe: a full pipe would stall the server.
        self.errors = tempfile.TemporaryFile("w+")
        self.access_log = Path(self.dir.name) / "access.log"

    def failures_since(self, offset: int) -> Counter:
        """Failed answers in the access log after byte `offset`, by method, path shape and status: 400 and
        above, and any redirect of a GET (a page the benchmark asks for answers 200; a redirect is the
        login page or a 404's cousin, and would count as a fast success)."""
        counted: Counter = Counter()
        with open(self.access_log, encoding="utf-8", errors="replace") as log:
            log.seek(offset)
            for line in log:
                found = re.search(r'"(\w+) (\S+)" (\d{3}) ', line)
                status = int(found.group(3)) if found else 0
                if status >= 400 or (found and found.group(1) == "GET" and 300 <= status < 400):
                    shape = re.sub(r"/\d+", "/<id>", found.group(2))
                    counted[f"{found.group(1)} {shape} {found.group(3)}"] += 1
        return counted

    def log_size(self) -> int:
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def __enter__(self) -> "Server":
        gunicorn = Path(sys.executable).parent / "gunicorn"
        # One proxy in front: its X-Forwarded-For is the client (docs/operations.md).
        env = {**os.environ, "GRID_DATABASE_URL": self.url.render_as_string(hide_password=False),
               "GRID_PROXY_COUNT": "1"}
        self.processes.append(subprocess.Popen(
            [str(gunicorn), "--no-control-socket", "-w", str(self.workers), "-b", f"127.0.0.1:{self.app_port}",
             "--access-logfile", str(self.access_log), "--access-logformat", ACCESS_LOG_FORMAT,
             "bench.wsgi_bench:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.errors))
        conf = Path(self.dir.name) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=self.dir.name, port=self.port, app_port=self.app_port,
                                          user="user root;" if os.geteuid() == 0 else ""), encoding="utf-8")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.processes.append(subprocess.Popen([nginx, "-c", str(conf), "-p", self.dir.name, "-g", "daemon off;"],
                                               stdout=subprocess.DEVNULL, stderr=self.errors))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                self.fail("the server exited")
            try:
                with urllib.request.urlopen(self.base_url + "/bench/hello", timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.fail("the server did not answer within 60 s")

    def fail(self, what: str) -> None:
        self.errors.seek(0)
        log = self.errors.read()[-4000:]
        self.__exit__()
        raise RuntimeError(f"{what}: {log}")

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.processes = []
        self.errors.close()
        self.dir.cleanup()
