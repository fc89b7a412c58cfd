"""Simulated customers against a running production shape, then a check that nothing was lost.

    .venv/bin/python scripts/loadtest.py [URL] --customers 20 --seconds 60

Loopback only, bounded in time. Each customer opens "Contact support", types a question the way
a debounced form sends it, looks at a suggested article, then deflects or files a ticket
through the form and reads the ticket page. Afterwards it measures the ceiling (a trivial JSON
view, /healthz) and the suggest API flat out, and verifies the database (scripts/verify.py).
Start the server with raised throttles, or this measures throttling: see docs/reliability.md.
"""

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import httpx

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.prodshape import DEFAULT_DATABASE_URL, ROOT, say  # noqa: E402
from scripts.verify import Ledger, report_lines, verify  # noqa: E402

LOOPBACK = ("127.", "localhost", "[::1]", "::1")
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')
NONSENSE = [
    ("blorp frobnicate the wizzle", "every time I quux the zorb it sprockets sideways"),
    ("asdf qwerty", "zxcv uiop hjkl"),
    ("the purple elephant sings", "my sandwich is on the ceiling again please advise"),
    ("Lorem ipsum dolor", "sit amet consectetur adipiscing elit sed do eiusmod"),
]
OPENERS = ["How do I", "Can't figure out how to", "Help:", "Question about", "Trouble with"]
COMPLAINTS = [
    "I tried this morning and it didn't work.",
    "Nothing happens when I try.",
    "My manager asked me to sort this out today.",
    "Is there a setting I'm missing?",
]


def demo_questions() -> list[tuple[str, str]]:
    """Questions about the demo help centre's topics, reworded, plus some nonsense."""
    questions = []
    path = ROOT / "kb" / "demo" / "articles.jsonl"
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        article = json.loads(line)
        title = article["title"].rstrip("?.")
        words = title.split()
        lowered = title[0].lower() + title[1:]
        summary = article.get("summary") or ""
        questions.append((f"{random.choice(OPENERS)} {lowered}?", random.choice(COMPLAINTS)))
        # Drop a word and lower-case: how people actually type subjects.
        if len(words) > 3:
            dropped = words[:]
            del dropped[random.randrange(1, len(dropped))]
            questions.append((" ".join(dropped).lower(), f"{summary} {random.choice(COMPLAINTS)}"))
    return questions + NONSENSE * 3


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    failure_samples: list[str] = field(default_factory=list)

    def ok(self, endpoint: str, seconds: float) -> None:
        self.latencies.setdefault(endpoint, []).append(seconds)

    def fail(self, endpoint: str, detail: str) -> None:
        self.failures[endpoint] = self.failures.get(endpoint, 0) + 1
        self.latencies.setdefault(endpoint, [])
        if len(self.failure_samples) < 20:
            self.failure_samples.append(f"{endpoint}: {detail}")

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values()) + sum(self.failures.values())

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def table(self) -> list[dict]:
        rows = []
        for endpoint in sorted(self.latencies):
            values = sorted(self.latencies[endpoint])
            rows.append(
                {
                    "endpoint": endpoint,
                    "ok": len(values),
                    "failed": self.failures.get(endpoint, 0),
                    "p50_ms": round(percentile(values, 50) * 1000, 1) if values else None,
                    "p99_ms": round(percentile(values, 99) * 1000, 1) if values else None,
                }
            )
        return rows


def percentile(sorted_values: list[float], pct: float) -> float:
    if len(sorted_values) == 1:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[int(pct) - 1]


class Visitor:
    """One browser: its own cookies (set by hand: they are Secure and we speak plain HTTP to
    the app, as the TLS proxy in front of it would) and its own keep-alive connection."""

    def __init__(self, base_url: str, stats: Stats, timeout: float):
        self.base = base_url.rstrip("/")
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.client = httpx.AsyncClient(
            base_url=self.base,
            timeout=timeout,
            headers={"X-Forwarded-Proto": "https", "User-Agent": "deflect-loadtest"},
            follow_redirects=False,
        )

    async def close(self) -> None:
        await self.client.aclose()

    async def request(
        self, endpoint: str, method: str, path: str, *, expect=(200,), **kwargs
    ) -> httpx.Response | None:
        headers = kwargs.pop("headers", {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        # Over "HTTPS", Django's CSRF check wants a same-origin Referer, as a browser sends.
        host = urlsplit(self.base).netloc
        headers.setdefault("Referer", f"https://{host}/support/new/")
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            self.stats.fail(endpoint, f"{type(error).__name__}: {error}")
            return None
        elapsed = time.perf_counter() - started
        for header in response.headers.get_list("set-cookie"):
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        if response.status_code not in expect:
            self.stats.fail(endpoint, f"HTTP {response.status_code} {method} {path}")
            return None
        self.stats.ok(endpoint, elapsed)
        return response


async def think(scale: float, low: float, high: float) -> None:
    if scale > 0:
        await asyncio.sleep(random.uniform(low, high) * scale)


async def customer_visit(
    base_url: str,
    stats: Stats,
    ledger: Ledger,
    questions: list[tuple[str, str]],
    *,
    think_scale: float,
    deflect_share: float,
    timeout: float,
) -> None:
    visitor = Visitor(base_url, stats, timeout)
    try:
        page = await visitor.request("GET /support/new/", "GET", "/support/new/")
        if page is None:
            return
        fields = dict(HIDDEN_INPUT.findall(page.text))
        session, csrf = fields.get("session"), fields.get("csrfmiddlewaretoken")
        if not session or not csrf:
            stats.fail("GET /support/new/", "no session or CSRF token in the form")
            return
        subject, description = random.choice(questions)
        email = f"load-{uuid.uuid4().hex[:12]}@example.com"
        # A debounced typist: a request after each pause, with what is typed so far.
        steps = [
            (subject[: max(3, len(subject) // 2)], ""),
            (subject, ""),
            (subject, description[: len(description) // 2]),
            (subject, description),
        ]
        results = []
        for typed_subject, typed_description in steps:
            await think(think_scale, 0.4, 1.2)
            response = await visitor.request(
                "POST suggestions",
                "POST",
                f"/api/v1/contact-sessions/{session}/suggestions",
                json={"subject": typed_subject, "description": typed_description, "email": email},
                headers={"X-CSRFToken": csrf},
            )
            if response is not None:
                ledger.sessions.add(session)
                results = response.json()["results"]
        await visitor.request("GET suggest", "GET", "/api/v1/suggest", params={"q": subject})
        await think(think_scale, 0.5, 1.5)
        if results:
            article = results[0]["id"]
            opened = await visitor.request(
                "GET contact article",
                "GET",
                f"/support/contact/{session}/article/{article}/",
            )
            await think(think_scale, 1.0, 3.0)
            if opened is not None and random.random() < deflect_share:
                response = await visitor.request(
                    "POST deflect",
                    "POST",
                    f"/api/v1/contact-sessions/{session}/deflect",
                    json={"article": article},
                    headers={"X-CSRFToken": csrf},
                )
                if response is not None and response.json().get("outcome") == "deflected":
                    ledger.deflections[session] = article
                return
        await file_ticket(visitor, ledger, session, csrf, subject, description, email)
    finally:
        await visitor.close()


async def file_ticket(visitor, ledger, session, csrf, subject, description, email) -> None:
    submission = str(uuid.uuid4())
    form = {
        "subject": subject,
        "description": description,
        "email": email,
        "session": session,
        "submission": submission,
        "source_page": "",
        "category": "",
        "action": "send",
        "csrfmiddlewaretoken": csrf,
    }
    # A browser whose request failed sends the same form again: same submission id.
    for _attempt in range(3):
        response = await visitor.request(
            "POST /support/new/", "POST", "/support/new/", data=form, expect=(302,)
        )
        if response is None:
            continue
        location = response.headers["location"]
        match = re.search(r"/support/tickets/(SUP-\d+)/$", location)
        if not match:
            visitor.stats.fail("POST /support/new/", f"redirected to {location}")
            continue
        ledger.tickets[submission] = match.group(1)
        await visitor.request("GET ticket page", "GET", location)
        return
    ledger.unanswered_submissions.add(submission)


async def run_customers(
    base_url: str,
    *,
    customers: int,
    seconds: float,
    think_scale: float = 1.0,
    deflect_share: float = 0.5,
    timeout: float = 10.0,
) -> tuple[Stats, Ledger, float]:
    """`customers` concurrent visitors, each starting a new visit when one ends, for `seconds`."""
    stats, ledger = Stats(), Ledger()
    questions = demo_questions()
    deadline = time.monotonic() + seconds
    started = time.monotonic()

    async def one_customer(index: int) -> None:
        await asyncio.sleep(random.uniform(0, min(2.0, seconds / 4)))  # no thundering start
        while time.monotonic() < deadline:
            await customer_visit(
                base_url,
                stats,
                ledger,
                questions,
                think_scale=think_scale,
                deflect_share=deflect_share,
                timeout=timeout,
            )

    await asyncio.gather(*(one_customer(i) for i in range(customers)))
    return stats, ledger, time.monotonic() - started


async def flat_out(base_url: str, label: str, path_and_params, *, concurrency: int, seconds: float):
    """Requests per second of one GET endpoint with no pauses, and its latencies."""
    stats = Stats()
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        visitor = Visitor(base_url, stats, timeout=10)
        try:
            while time.monotonic() < deadline:
                path, params = path_and_params()
                await visitor.request(label, "GET", path, params=params)
        finally:
            await visitor.close()

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    return len(stats.latencies.get(label, [])) / elapsed, stats


async def ceilings(base_url: str, *, concurrency: int, seconds: float) -> dict:
    """The trivial JSON view and the suggest API flat out, in alternating 2-second slices so
    that both meet the same machine (other processes come and go on a shared one)."""
    questions = [q for q, _ in demo_questions()]
    slices = max(1, round(seconds / 2))
    endpoints = {
        "GET /healthz flat out": lambda: ("/healthz", None),
        "GET suggest flat out": lambda: ("/api/v1/suggest", {"q": random.choice(questions)}),
    }
    totals = {label: [0, 0.0, Stats()] for label in endpoints}  # requests, seconds, stats
    for _ in range(slices):
        for label, target in endpoints.items():
            rps, stats = await flat_out(
                base_url, label, target, concurrency=concurrency, seconds=seconds / slices
            )
            done = len(stats.latencies.get(label, []))
            totals[label][0] += done
            totals[label][1] += done / rps if rps else seconds / slices
            merged = totals[label][2]
            merged.latencies.setdefault(label, []).extend(stats.latencies.get(label, []))
            for key, count in stats.failures.items():
                merged.failures[key] = merged.failures.get(key, 0) + count
    healthz, suggest = (totals[label] for label in endpoints)
    healthz_rps = healthz[0] / healthz[1] if healthz[1] else 0
    suggest_rps = suggest[0] / suggest[1] if suggest[1] else 0
    return {
        "healthz_rps": round(healthz_rps, 1),
        "suggest_rps": round(suggest_rps, 1),
        "suggest_to_ceiling": round(suggest_rps / healthz_rps, 2) if healthz_rps else None,
        "healthz": healthz[2].table(),
        "suggest": suggest[2].table(),
        "failed": healthz[2].failed + suggest[2].failed,
    }


def print_table(rows: list[dict]) -> None:
    say(f"{'endpoint':<24} {'ok':>7} {'failed':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for row in rows:
        say(
            f"{row['endpoint']:<24} {row['ok']:>7} {row['failed']:>7} "
            f"{row['p50_ms'] if row['p50_ms'] is not None else '-':>8} "
            f"{row['p99_ms'] if row['p99_ms'] is not None else '-':>8}"
        )


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if not (host.startswith(LOOPBACK) or host in LOOPBACK):
        raise SystemExit(f"Refusing to load {host}: this script only targets loopback addresses.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="scale of pauses (0: none)")
    parser.add_argument("--deflect-share", type=float, default=0.5)
    parser.add_argument("--warmup", type=float, default=5, help="seconds not counted")
    parser.add_argument("--ceiling-seconds", type=float, default=10)
    parser.add_argument("--ceiling-concurrency", type=int, default=8)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    check_loopback(args.url)
    if not 0 < args.seconds <= 3600 or not 0 < args.customers <= 1000:
        raise SystemExit("Keep the load bounded: 0 < seconds <= 3600, 0 < customers <= 1000.")

    warmup = Ledger()
    if args.warmup > 0:
        say(f"Warming up for {args.warmup:.0f}s (timings not counted, records verified) ...")
        warmup = asyncio.run(
            run_customers(args.url, customers=4, seconds=args.warmup, think_scale=0)
        )[1]
    say(f"{args.customers} customers for {args.seconds:.0f}s against {args.url} ...")
    stats, ledger, elapsed = asyncio.run(
        run_customers(
            args.url,
            customers=args.customers,
            seconds=args.seconds,
            think_scale=args.think,
            deflect_share=args.deflect_share,
        )
    )
    rows = stats.table()
    print_table(rows)
    say(
        f"requests {stats.requests}, failures {stats.failed}, "
        f"{stats.requests / elapsed:.1f} req/s, tickets {len(ledger.tickets)}, "
        f"deflections {len(ledger.deflections)}"
    )
    for sample in stats.failure_samples:
        say(f"  failure: {sample}")
    ceiling = {}
    if args.ceiling_seconds > 0:
        say(
            f"Ceiling: GET /healthz and GET /api/v1/suggest, {args.ceiling_concurrency} "
            f"connections flat out, {args.ceiling_seconds:.0f}s each in 2s slices ..."
        )
        ceiling = asyncio.run(
            ceilings(args.url, concurrency=args.ceiling_concurrency, seconds=args.ceiling_seconds)
        )
        say(
            f"healthz {ceiling['healthz_rps']} req/s, suggest {ceiling['suggest_rps']} req/s: "
            f"suggest at {ceiling['suggest_to_ceiling']} of the ceiling"
        )
        print_table(ceiling["healthz"] + ceiling["suggest"])
    ledger.merge(warmup)
    result = verify(ledger, args.database_url)
    for line in report_lines(result):
        say(line)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "customers": args.customers,
                    "seconds": args.seconds,
                    "think": args.think,
                    "requests": stats.requests,
                    "failures": stats.failed,
                    "rps": round(stats.requests / elapsed, 1),
                    "endpoints": rows,
                    "ceiling": ceiling,
                    "verification": result,
                },
                indent=2,
            )
        )
    failed = stats.failed or result["problems"] or ceiling.get("failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
