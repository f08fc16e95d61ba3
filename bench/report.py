"""What every benchmark prints and writes alike: the machine it ran on, its
table as aligned text and as Markdown, and its generated block of
docs/performance.md (between two marker comments, so notes written around
it stay)."""
import os
import platform
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from grid.extensions import db

DOCS = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


@dataclass
class Timed:
    """A path's seconds and its baseline's, measured in the same run; what
    its `target` bounds (the ratio, the seconds) is the benchmark's to say."""
    path: str
    seconds: float
    baseline: float | None = None
    target: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.baseline if self.baseline else None


def verdict(passed: bool | None) -> str:
    return {True: "pass", False: "MISS", None: ""}[passed]


def machine(app) -> str:
    with app.app_context():
        server = db.session.scalar(text("SHOW server_version"))
        postgis = db.session.scalar(text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'"))
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0) / 2**20
    return (f"{os.cpu_count()} cores, {memory:.0f} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, PostgreSQL {server.split()[0]}, PostGIS {postgis}; "
            f"load average {os.getloadavg()[0]:.1f} at the end of the run")


def text_table(headers: list[str], rows: list[list[str]]) -> str:
    """Aligned columns: the first to the left, the others to the right."""
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]
    return "\n".join("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
                     for row in [headers, *rows])


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def update_docs(begin: str, end: str, block: str, *, section: str, intro: str = "", path: Path = DOCS) -> None:
    """Replace the text from `begin` to `end` with `block` (which starts and ends
    with them); the first time, add `section` with `intro` and the block at the end."""
    document = path.read_text(encoding="utf-8")
    if begin in document and end in document:
        before, rest = document.split(begin, 1)
        document = before + block + rest.split(end, 1)[1]
    else:
        parts = [section, intro, block] if intro else [section, block]
        document = document.rstrip("\n") + "\n\n" + "\n\n".join(parts) + "\n"
    path.write_text(document, encoding="utf-8")
