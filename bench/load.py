"""A bounded HTTP load on 127.0.0.1 with wrk (Debian's package): a fixed
number of connections, each sending its next request as soon as the last
answer arrived (or after a think time), for a fixed duration. wrk is written
in C, so on a 2-core machine it takes little of the CPU the server needs;
the request list, the think time and the result line are a Lua script
generated here.

Every request a run may send is tried once first, outside the timing, and
must answer 200 (or the redirect a form post answers): a page that sent the
login form back, or a 404 from a request outside the user's scope, would
otherwise count as a fast success."""
from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field

UUID = "__UUID__"     # replaced in a request's body by a new UUID each time it is sent


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: str | None = None
    expect: int = 200
    kind: str = ""                      # the class of a mixed load's request


@dataclass
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int                          # connect, read, write, timeout and HTTP >= 400
    error_detail: dict

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def lua_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=True)          # a JSON string is a valid Lua string literal


def lua_request(r: Request) -> str:
    headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in r.headers.items())
    body = lua_string(r.body) if r.body is not None else "nil"
    return f"{{{lua_string(r.method)}, {lua_string(r.path)}, {{{headers}}}, {body}}}"


def script(classes: dict[str, tuple[float, list[Request]]], think_ms: tuple[int, int] | None) -> str:
    """Lua for wrk: pick a class by weight, then one of its requests at random."""
    names = list(classes)
    weights = [classes[n][0] for n in names]
    total = sum(weights)
    bounds, running = [], 0.0
    for w in weights:
        running += w / total
        bounds.append(running)
    lists = ",\n".join("{" + ",\n".join(lua_request(r) for r in classes[n][1]) + "}" for n in names)
    delay = (f"function delay() return math.random({think_ms[0]}, {think_ms[1]}) end" if think_ms else "")
    seed = secrets.randbits(31)
    return f"""
local lists = {{{lists}}}
local bounds = {{{", ".join(f"{b:.6f}" for b in bounds)}}}
bounds[#bounds] = 1.0

-- Seeded afresh by every run: visit ids drawn by an earlier run must not come again.
math.randomseed({seed})

function setup(thread)
  thread:set("seed", math.random(1, 2147483647))
end

function init(args)
  math.randomseed(seed or os.time())
end

local function uuid()
  return string.format("%08x-%04x-4%03x-%04x-%06x%06x", math.random(0, 0x7fffffff), math.random(0, 0xffff),
    math.random(0, 0xfff), 0x8000 + math.random(0, 0x3fff), math.random(0, 0xffffff), math.random(0, 0xffffff))
end

function request()
  local x, k = math.random(), 1
  while bounds[k] < x do k = k + 1 end
  local list = lists[k]
  local r = list[math.random(#list)]
  local body = r[4]
  if body then body = string.gsub(body, "{UUID}", uuid()) end
  return wrk.format(r[1], r[2], r[3], body)
end

{delay}

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {{"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
""".replace("{UUID}", UUID)


def run(base_url: str, classes: dict[str, tuple[float, list[Request]]], *, connections: int, seconds: float,
        threads: int = 2, think_ms: tuple[int, int] | None = None, timeout_s: int = 10) -> Load:
    """Run wrk and read its result line."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", encoding="utf-8") as lua:
        lua.write(script(classes, think_ms))
        lua.flush()
        command = ["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{seconds:g}s",
                   "--timeout", f"{timeout_s}s", "-s", lua.name, base_url]
        finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in finished.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if finished.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({finished.returncode}): {finished.stderr or finished.stdout}")
    raw = json.loads(line[len("RESULT "):])
    errors = {k: raw[k] for k in ("connect", "read", "write", "status", "timeout") if raw[k]}
    return Load(requests=raw["requests"], seconds=raw["duration_us"] / 1e6, p50_ms=raw["p50"] / 1000,
                p95_ms=raw["p95"] / 1000, p99_ms=raw["p99"] / 1000, max_ms=raw["max"] / 1000,
                errors=sum(errors.values()), error_detail=errors)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(base_url: str, r: Request, *, body_uuid: str = "00000000-0000-4000-8000-000000000000",
          headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One request as wrk would send it (no redirect followed): status, headers, body."""
    data = r.body.replace(UUID, body_uuid).encode() if r.body is not None else None
    request = urllib.request.Request(base_url + r.path, data=data, method=r.method,
                                     headers={**r.headers, **(headers or {})})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def check(base_url: str, requests: list[Request]) -> None:
    """Every request answers what it should, or the run would measure the wrong thing."""
    import uuid
    for r in requests:
        status, headers, _body = fetch(base_url, r, body_uuid=str(uuid.uuid4()))
        if status != r.expect:
            raise RuntimeError(f"{r.method} {r.path} answered {status} (expected {r.expect}); "
                               f"location: {headers.get('Location', '')}")
        if r.expect in (302, 303) and "/login" in headers.get("Location", ""):
            raise RuntimeError(f"{r.method} {r.path} redirected to the login page")
