"""Walk the portal, both admins and Swagger UI in Chromium and list Content-Security-Policy
violations, against a running production shape (`make serve-prod`).

    .venv/bin/python scripts/csp_check.py [URL]

It signs in as a superuser it creates (or updates) in the shape's database, so run it with the
same DATABASE_URL as the server. Exit status 1 when anything was blocked.
"""

import argparse
import os
import secrets
import shutil
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.prodshape import manage, production_env, say  # noqa: E402

CHECKER_EMAIL = "csp-check@example.com"
COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(
  `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
  + (e.sample ? ` sample=${e.sample}` : "")));
"""


def superuser_password() -> str:
    password = secrets.token_urlsafe(16)
    code = (
        "from portal.models import User;"
        f"u, _ = User.objects.get_or_create(email={CHECKER_EMAIL!r}, "
        "defaults={'is_staff': True, 'is_superuser': True});"
        "u.is_staff = u.is_superuser = True;"
        f"u.set_password({password!r}); u.save()"
    )
    manage(production_env(), "shell", "-c", code)
    return password


def ids_for_admin_pages() -> dict:
    code = (
        "import json; from kb.models import ArticlePage; from tickets.models import Ticket;"
        "a = ArticlePage.objects.live().first(); t = Ticket.objects.first();"
        "print(json.dumps({'article': a.pk if a else None, 'ticket': t.pk if t else None}))"
    )
    out = manage(production_env(), "shell", "-c", code, quiet=True).stdout
    import json

    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8000")
    args = parser.parse_args(argv)
    base = args.url.rstrip("/")
    password = superuser_password()
    ids = ids_for_admin_pages()
    pages = [
        "/",
        "/search/?q=password",
        "/support/new/",
        "/accounts/login/",
        "/api/docs/",
        "/admin/",
        "/admin/pages/",
        "/admin/snippets/",
        "/django-admin/",
        "/django-admin/tickets/ticket/",
        "/django-admin/backlog/",
    ]
    if ids["article"]:
        pages += [f"/admin/pages/{ids['article']}/edit/", f"/admin/pages/{ids['article']}/"]
    if ids["ticket"]:
        pages.append(f"/django-admin/tickets/ticket/{ids['ticket']}/change/")
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    blocked = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        context = browser.new_context()
        context.add_init_script(COLLECT_VIOLATIONS)
        page = context.new_page()
        console: list[str] = []
        page.on(
            "console",
            lambda message: (
                console.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.goto(f"{base}/django-admin/login/")
        page.fill("[name=username]", CHECKER_EMAIL)
        page.fill("[name=password]", password)
        page.click("[type=submit]")
        for path in pages:
            console.clear()
            response = page.goto(base + path)
            page.wait_for_load_state("networkidle")
            if path == "/support/new/":
                page.fill("[name=subject]", "reset my password")
                page.wait_for_timeout(1200)
            if path.endswith("/edit/"):
                # The live preview panel renders the page in a same-origin iframe.
                toggle = page.locator("[data-side-panel-toggle='preview']")
                if toggle.count():
                    toggle.first.click()
                    page.wait_for_timeout(2000)
            seen = page.evaluate("window.__csp") + console
            status = response.status if response else "?"
            say(f"{status} {path}: {len(seen)} violation(s)")
            for line in dict.fromkeys(seen):
                say(f"    {line}")
            blocked += len(seen)
        browser.close()
    return 1 if blocked else 0


if __name__ == "__main__":
    sys.exit(main())
