"""The health check load balancers poll: is the database reachable, and the task broker?"""

import logging

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# A health check that hangs is worse than one that fails: the balancer times out anyway.
BROKER_TIMEOUT_SECONDS = 1.0
_redis_clients: dict[str, redis.Redis] = {}


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001  (any failure means "not reachable")
        logger.warning("Health check: database unreachable", exc_info=True)
        return False
    return True


def _redis_client(url: str) -> redis.Redis:
    # One client (and so one small connection pool) per URL and process, not one per poll.
    client = _redis_clients.get(url)
    if client is None:
        client = redis.Redis.from_url(
            url,
            socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
            socket_timeout=BROKER_TIMEOUT_SECONDS,
        )
        _redis_clients[url] = client
    return client


def broker_ok(*, database_reachable: bool) -> bool:
    """The django-q2 broker: Redis answers PING, or, for the ORM broker, the database is up."""
    q_cluster = settings.Q_CLUSTER
    if q_cluster.get("sync"):
        return True  # tasks run in the calling process: there is no broker to reach
    redis_conf = q_cluster.get("redis")
    if not redis_conf:
        return database_reachable  # the "orm" broker's queue is a table in that database
    try:
        if isinstance(redis_conf, str):
            client = _redis_client(redis_conf)
        else:
            client = redis.Redis(
                **{"socket_connect_timeout": BROKER_TIMEOUT_SECONDS, **redis_conf},
                socket_timeout=BROKER_TIMEOUT_SECONDS,
            )
        client.ping()
    except Exception:  # noqa: BLE001
        logger.warning("Health check: task broker unreachable", exc_info=True)
        return False
    return True


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the task broker answer; 503 naming the part that does not.

    Only "ok" or "failing" per part: no host names, URLs or error messages leave the server.
    """
    database = database_ok()
    checks = {
        "database": "ok" if database else "failing",
        "broker": "ok" if broker_ok(database_reachable=database) else "failing",
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "failing", **checks}, status=200 if healthy else 503
    )
