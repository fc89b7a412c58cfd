"""Throughput of the pages customers hit hardest, as a ratio to /healthz in the same run.

    .venv/bin/python scripts/bench.py [--seconds 15] [--connections 8]

Starts its own production shape (gunicorn 4x2, PostgreSQL, Redis, a q2 cluster) on a private
port, database and Redis db, loads the demo help centre, then runs Debian's `wrk` against each
page in turn and prints requests per second beside the ratio to /healthz. Absolute figures on a
shared machine move from run to run; the ratios are what to compare. Afterwards it prints the
memory each web process holds (resident, proportional and private set size), so the index
the processes map from one file shows up as a small private size per process.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.index_memory import process_memory  # noqa: E402
from scripts.prodshape import (  # noqa: E402
    LOAD_TEST_LIMITS,
    PYTHON,
    ROOT,
    ProductionShape,
    prepare,
    production_env,
    say,
)

# Not the databases and Redis dbs of `make test`, CI or `make serve-prod`.
BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/deflect_bench"
BENCH_REDIS_URL = "redis://127.0.0.1:6379/9"
BENCH_PORT = 8020
QUERY = "reset my password"
# What each customer types into the contact form, a word more per keystroke.
TYPED_QUESTION = "I forgot my password and cannot reset it from the sign in page"
REQUESTS_PER_SECOND = re.compile(r"Requests/sec:\s+([\d.]+)")
NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
ERRORS = re.compile(r"Socket errors:.*")

# wrk posts the contact form's while-typing request as the page's script sends it, for each of
# several customers in turn, each with their own browser session, CSRF token and contact session.
POST_SCRIPT = """
local typists = {typists}
local bodies = {bodies}
local n = 0
request = function()
  n = n + 1
  local typist = typists[(n % #typists) + 1]
  -- Each customer's text grows by a word per keystroke, then they start the question again.
  typist.typed = (typist.typed or 0) % #bodies + 1
  return wrk.format("POST", typist.path, typist.headers, bodies[typist.typed])
end
"""
TYPISTS = 32


def get(url: str, *, headers: dict | None = None) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        # The headers as sent: a dict would keep one Set-Cookie of two and lose the session.
        return response.status, response.headers, response.read()


def wait_for_suggestions(base: str, *, timeout: float = 120) -> dict:
    """The first suggestion for QUERY, once the q2 cluster has built the index."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, _, body = get(f"{base}/api/v1/suggest?q={urllib.parse.quote(QUERY)}")
        results = json.loads(body).get("results") or []
        if results:
            return results[0]
        time.sleep(1)
    raise SystemExit("The suggestion index was not built in time")


LATEST_INDEX_COMPLETE = (
    "from kb.models import SuggestIndexSnapshot as S; "
    "s = S.objects.order_by('-id').first(); print(int(s is not None and not s.vectors_missing))"
)


def wait_for_article_vectors(env: dict, *, timeout: float = 600) -> None:
    """Wait until the worker has embedded every article: until then it competes for the CPU."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", LATEST_INDEX_COMPLETE],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        ).stdout.strip()
        if done.endswith("1"):
            return
        time.sleep(2)
    raise SystemExit("The worker did not finish embedding the articles in time")


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string of ASCII is a Lua string literal too


def contact_typing_script(base: str, directory: Path, *, typists: int) -> tuple[str, Path]:
    """The contact form's suggestions URL and a wrk script posting keystrokes of `typists`.

    Each customer opens the form in a browser of their own, as on a real site: keystrokes of
    one customer are debounced and never overlap, so sharing one contact session among all of
    wrk's connections would measure a lock on one row that no customer meets.
    """
    entries = []
    for _ in range(typists):
        _, headers, page = get(f"{base}/support/new/")
        cookies = SimpleCookie()
        for name, value in headers.items():
            if name.lower() == "set-cookie":
                cookies.load(value)
        if "sessionid" not in cookies:  # without it every keystroke would be a new visitor
            raise SystemExit("/support/new/ set no session cookie")
        html = page.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        session = re.search(r'name="session" value="([^"]+)"', html).group(1)
        template = re.search(r'data-suggest-url="([^"]+)"', html).group(1)
        path = template.replace("00000000-0000-0000-0000-000000000000", session)
        cookie = "; ".join(f"{key}={morsel.value}" for key, morsel in cookies.items())
        request_headers = {
            "Content-Type": "application/json",
            "X-CSRFToken": cookies["csrftoken"].value if "csrftoken" in cookies else token,
            "Cookie": cookie,
            "Referer": f"{base}/support/new/",
        }
        fields = ", ".join(
            f"[{lua_string(k)}] = {lua_string(v)}" for k, v in request_headers.items()
        )
        entries.append(f"{{path = {lua_string(path)}, headers = {{{fields}}}}}")
    words = TYPED_QUESTION.split()
    bodies = [
        lua_string(json.dumps({"subject": "", "description": " ".join(words[:n]), "email": ""}))
        for n in range(2, len(words) + 1)
    ]
    script = directory / "contact_typing.lua"
    script.write_text(
        POST_SCRIPT.format(
            typists="{" + ", ".join(entries) + "}", bodies="{" + ", ".join(bodies) + "}"
        )
    )
    return base + path, script


def run_wrk(url: str, *, seconds: int, connections: int, threads: int, script=None) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    rate = REQUESTS_PER_SECOND.search(output)
    failed = NON_2XX.search(output)
    return {
        "rate": float(rate.group(1)) if rate else 0.0,
        "failed": int(failed.group(1)) if failed else 0,
        "errors": (ERRORS.search(output) or [""])[0] if ERRORS.search(output) else "",
    }


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children += [int(child) for child in text]
    return children


def pages(base: str, article_url: str) -> list[tuple[str, str]]:
    article_path = urllib.parse.urlsplit(article_url).path
    category_path = article_path.rstrip("/").rsplit("/", 1)[0] + "/"
    return [
        ("/healthz", f"{base}/healthz"),
        ("search results page", f"{base}/search/?q={urllib.parse.quote(QUERY)}"),
        ("GET /api/v1/suggest", f"{base}/api/v1/suggest?q={urllib.parse.quote(QUERY)}"),
        ("home page", f"{base}/"),
        ("a category page", base + category_path),
        ("an article page", base + article_path),
        ("/support/new/", f"{base}/support/new/"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=BENCH_PORT)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL"))
    parser.add_argument(
        "--typists",
        type=int,
        default=TYPISTS,
        help="customers typing into the contact form at once, each in a session of their own",
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk; make bench does)")

    env = production_env(
        port=args.port,
        DATABASE_URL=args.database_url or BENCH_DATABASE_URL,
        REDIS_URL=args.redis_url or BENCH_REDIS_URL,
        **LOAD_TEST_LIMITS,
    )
    say("Preparing the production shape: migrate, collectstatic, demo content")
    prepare(env, demo=True, quiet=True)
    with (
        tempfile.TemporaryDirectory() as scratch,
        ProductionShape(env, port=args.port, log_dir=Path(scratch) / "logs") as shape,
    ):
        shape.start()
        base = shape.url
        article = wait_for_suggestions(base)
        wait_for_article_vectors(env)
        time.sleep(3)  # every web process picks up the completed index
        rows = [(name, url, None) for name, url in pages(base, article["url"])]
        typing_url, typing_script = contact_typing_script(base, Path(scratch), typists=args.typists)
        # Last: every keystroke writes, and the database's catching up with thousands of writes
        # would otherwise be measured as the slowness of whichever page came next.
        rows.append(("contact form POST while typing", typing_url, typing_script))
        say(
            f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s against "
            f"gunicorn {shape.workers}x{shape.threads} on {base}"
        )
        results = []
        for name, url, script in rows:
            # Warm every process's caches first: the run measures the steady state.
            run_wrk(url, seconds=2, connections=args.connections, threads=1, script=script)
            result = run_wrk(
                url,
                seconds=args.seconds,
                connections=args.connections,
                threads=args.threads,
                script=script,
            )
            results.append((name, result))
        ceiling = results[0][1]["rate"] or 1.0
        say("")
        say(f"{'page':<34} {'req/s':>9} {'ratio to /healthz':>18} {'failed':>7}")
        for name, result in results:
            say(
                f"{name:<34} {result['rate']:>9,.0f} {result['rate'] / ceiling:>18.3f} "
                f"{result['failed']:>7}  {result['errors']}"
            )
        say("")
        say(
            "Memory of each web process after the run (MB): resident, proportional share, "
            "private (what one more process adds; the mapped index is shared)"
        )
        for pid in _children(shape.web.pid):
            memory = process_memory(pid)
            say(
                f"  pid {pid}: RSS {memory['rss']:,.1f}  PSS {memory['pss']:,.1f}  "
                f"USS {memory['uss']:,.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
