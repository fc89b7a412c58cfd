"""The API's schema and its behaviour agree: what the schema allows fits gunicorn's request
line and is accepted; what it rules out is refused."""

import re
import runpy
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from gunicorn.config import Config
from gunicorn.http.errors import LimitRequestLine
from gunicorn.http.parser import RequestParser

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
WIDEST = "😀"  # 4 bytes of UTF-8: 12 characters once percent-encoded
GUNICORN = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))


@pytest.fixture
def schema(client):
    return client.get("/api/schema/", {"format": "json"}).json()


def widest_value(name: str, spec: dict) -> str:
    """The longest value the schema allows for a parameter, as text."""
    if "enum" in spec:
        return max(map(str, spec["enum"]), key=len)
    if spec["type"] == "integer":
        assert "maximum" in spec, f"{name} has no maximum"
        return str(max(spec["maximum"], -spec.get("minimum", 0)))
    if spec.get("format") == "uuid":
        return "0" * 36
    assert "maxLength" in spec, f"{name} has no maxLength"
    return WIDEST * spec["maxLength"]


def widest_request_line(path: str, operation: dict) -> str:
    query = {}
    for parameter in operation.get("parameters", []):
        value = widest_value(parameter["name"], parameter["schema"])
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", quote(value, safe=""))
        elif parameter["in"] == "query":
            query[parameter["name"]] = value
    target = f"{path}?{urlencode(query)}" if query else path
    return f"GET {target} HTTP/1.1"


def gunicorn_accepts(request_line: str) -> bool:
    config = Config()
    config.set("limit_request_line", GUNICORN["limit_request_line"])
    request = f"{request_line}\r\nHost: testserver\r\n\r\n".encode()
    try:
        next(RequestParser(config, iter([request]), ("127.0.0.1", 40000)))
    except LimitRequestLine:
        return False
    return True


def get_operations(schema):
    return [(path, ops["get"]) for path, ops in schema["paths"].items() if "get" in ops]


def test_every_request_the_schema_allows_fits_gunicorns_request_line(schema):
    for path, operation in get_operations(schema):
        line = widest_request_line(path, operation)
        assert gunicorn_accepts(line), f"{path}: {len(line)} bytes"


def test_the_widest_query_the_schema_allows_is_answered_and_one_more_character_refused(
    schema, client
):
    for path in ("/api/v1/suggest", "/api/v1/widget/suggest"):
        spec = next(
            p["schema"] for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "q"
        )
        widest = client.get(path, {"q": WIDEST * spec["maxLength"]})
        too_long = client.get(path, {"q": WIDEST * (spec["maxLength"] + 1)})
        assert (widest.status_code, too_long.status_code) == (200, 400), path


@pytest.mark.parametrize("blank", ["", "   ", "\t\n", "\x01\x02", " \x7f "])
def test_a_blank_subject_is_ruled_out_by_the_schema_and_refused(schema, client, customer, blank):
    for name in ("TicketListCreateInput", "WidgetTicketInput"):
        subject = schema["components"]["schemas"][name]["properties"]["subject"]
        assert not re.search(subject["pattern"], blank), name
    client.login(username=customer.email, password=PASSWORD)
    data = {"subject": blank, "description": "My invoice is missing", "email": "a@example.com"}
    for url in ("/api/v1/tickets", "/api/v1/widget/tickets"):
        response = client.post(url, data, content_type="application/json")
        assert response.status_code == 400 and "subject" in response.json(), url


def test_a_subject_the_schema_allows_files_a_ticket(schema, client, customer):
    subject = "  Rechnung fehlt 😀 "
    pattern = schema["components"]["schemas"]["TicketListCreateInput"]["properties"]["subject"]
    assert re.search(pattern["pattern"], subject)
    client.login(username=customer.email, password=PASSWORD)
    data = {"subject": subject, "description": "Where is it?"}
    assert client.post("/api/v1/tickets", data, content_type="application/json").status_code == 201
