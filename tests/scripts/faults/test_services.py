"""Fault scripts break only servers of their own: never the machine's shared Redis or PostgreSQL."""

import shutil

import psycopg
import pytest

from scripts.faults.common import FaultServices, fault_env
from scripts.faults.services import (
    PrivatePostgres,
    PrivateRedis,
    SharedServiceError,
    postgres_bin_dir,
    refuse_shared,
)


@pytest.mark.parametrize(
    "target",
    [
        5432,
        6379,
        "redis://127.0.0.1:6379/2",
        "redis://localhost/0",  # no port: Redis's default, the shared one
        "postgres://postgres@127.0.0.1:5432/deflect_faults",
        "postgres://postgres@127.0.0.1/deflect_faults",
        "postgres:///deflect_faults",  # the Unix socket of the shared server
    ],
)
def test_the_guard_refuses_the_shared_services(target):
    with pytest.raises(SharedServiceError):
        refuse_shared(target)


@pytest.mark.parametrize(
    "target", [16379, 55432, "redis://127.0.0.1:16379/0", "postgres://postgres@127.0.0.1:55432/x"]
)
def test_the_guard_lets_private_ports_through(target):
    refuse_shared(target)


def test_private_servers_refuse_the_shared_ports_before_starting_anything():
    with pytest.raises(SharedServiceError):
        PrivateRedis(port=6379)
    with pytest.raises(SharedServiceError):
        PrivatePostgres(port=5432)


def test_a_fault_run_never_points_its_shape_at_the_shared_servers(monkeypatch):
    class Shared:
        def url(self, name):
            return f"redis://127.0.0.1:6379/{name}"

    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/deflect_faults")
    services = FaultServices(redis=Shared(), postgres=Shared())
    with pytest.raises(SharedServiceError):
        fault_env(services)


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
def test_private_redis_can_be_shut_down_and_comes_back_empty_on_its_own_port():
    with PrivateRedis() as server:
        assert server.port not in (6379, 5432)
        import redis

        client = redis.Redis.from_url(server.url(), socket_timeout=2)
        client.set("queued", "task")

        server.shutdown()
        assert not server.ping()
        server.start()

        assert server.ping()
        assert client.get("queued") is None  # nothing persisted: --save "" --appendonly no
    assert not server.ping()


def _postgres_installed() -> bool:
    try:
        postgres_bin_dir()
    except FileNotFoundError:
        return False
    return True


@pytest.mark.skipif(not _postgres_installed(), reason="PostgreSQL server binaries not installed")
def test_private_postgres_is_a_cluster_of_its_own_and_is_removed_after(tmp_path):
    log = tmp_path / "postgres.log"
    with PrivatePostgres(log_copy=log) as server:
        assert server.port not in (6379, 5432)
        with psycopg.connect(server.url("postgres"), autocommit=True) as connection:
            connection.execute("CREATE DATABASE deflect_faults")
        with psycopg.connect(server.url("deflect_faults")) as connection:
            assert connection.execute("SELECT current_setting('port')").fetchone() == (
                str(server.port),
            )
        workdir = server.workdir
    assert not workdir.exists()
    assert log.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.url("postgres"), connect_timeout=2)
