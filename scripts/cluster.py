"""Scale-out on one machine: two Rasa servers and two action servers behind nginx; conversations
and session log in PostgreSQL, conversation locks in Redis (README, "Skalierung / Scale-out"):
the Rasa servers run with endpoints-cluster.yml (LOCK_STORE_TYPE=redis, scripts/services.py).

    python scripts/cluster.py run      # `make run-cluster`: start all, print the addresses, Ctrl-C stops all

Its throughput, one Rasa server against two, is measured by bench/cluster.py.

Every server is a child process on 127.0.0.1 (ports from CLUSTER_* in .env, see .env.example);
nginx runs from a generated config in a temporary folder, never as the system service. The
cluster test (tests/test_cluster.py) uses `Cluster` too.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from cluster_nginx import Nginx
from services import ROOT, Services, environment

# -- shared infrastructure: PostgreSQL and Redis ---------------------------------------------------
def cluster_database_url(env: Dict[str, str]) -> str:
    """DATABASE_URL when it is PostgreSQL (the scale-out profile), else CLUSTER_DATABASE_URL:
    several servers cannot share an SQLite file across machines, so the cluster never uses one."""
    configured = env.get("DATABASE_URL") or ""
    if configured and make_url(configured).get_backend_name() == "postgresql":
        return configured
    return env["CLUSTER_DATABASE_URL"]


def ensure_database(url: str) -> None:
    """Creates the PostgreSQL database of `url` if it does not exist (needs the CREATEDB right)."""
    parsed = make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                        {"name": parsed.database}).scalar()
            if not exists:
                connection.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def prepare_schema(url: str) -> None:
    """Session-log tables (Alembic) and Rasa's `events` table, once, before several servers start
    at the same moment and would all try to create them."""
    from rasa.core.tracker_store import SQLTrackerStore

    from core.session_store import SessionStore

    store = SessionStore(url)
    try:
        store.migrate()
        SQLTrackerStore.Base.metadata.create_all(store.engine)
    finally:
        store.dispose()


def check_redis(env: Dict[str, str]) -> None:
    import redis

    client = redis.Redis(host=env["REDIS_HOST"], port=int(env["REDIS_PORT"]), db=int(env["REDIS_DB"]),
                         password=env["REDIS_PASSWORD"] or None, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        raise RuntimeError(f"Redis at {env['REDIS_HOST']}:{env['REDIS_PORT']} does not answer ({error})") from error
    finally:
        client.close()


def _in_parallel(calls: List[Callable[[], None]]) -> None:
    """Runs the start calls at once (each waits for its server); raises the first error."""
    errors: List[BaseException] = []

    def guarded(call: Callable[[], None]) -> None:
        try:
            call()
        except BaseException as error:  # noqa: BLE001 - re-raised below
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


# -- the cluster -------------------------------------------------------------------------------------
class Cluster:
    """nginx, N action servers and N Rasa servers (N = number of CLUSTER_RASA_PORTS), the chat page.

    `instances[i]` is a `Services` with one action server and one Rasa server; every Rasa server
    calls the actions through nginx (ACTION_ENDPOINT_URL), so either action server can answer."""

    def __init__(self, overrides: Optional[Dict[str, str]] = None, log_dir: Optional[Path] = None) -> None:
        base = environment(overrides)
        self.log_dir = Path(log_dir or ROOT / base["LOG_DIR"] / "cluster")
        rasa_ports = base["CLUSTER_RASA_PORTS"].split(",")
        action_ports = base["CLUSTER_ACTION_PORTS"].split(",")
        if len(rasa_ports) != len(action_ports):
            raise ValueError("CLUSTER_RASA_PORTS and CLUSTER_ACTION_PORTS need the same number of ports")
        self.database_url = cluster_database_url(base)
        self.port, self.action_port = base["CLUSTER_PORT"], base["CLUSTER_ACTION_PORT"]
        shared = {
            **(overrides or {}),
            "DATABASE_URL": self.database_url,
            "LOCK_STORE_TYPE": "redis",
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.action_port}/webhook",
            "RASA_HOST": "127.0.0.1", "ACTION_HOST": "127.0.0.1", "WEB_HOST": "127.0.0.1",
            "WEB_PORT": base["CLUSTER_WEB_PORT"],
        }
        self.env = environment(shared)
        self.instances = [
            Services({**shared, "RASA_PORT": rasa_port.strip(), "ACTION_PORT": action_port.strip()},
                     log_dir=self.log_dir / f"instance-{number}")
            for number, (rasa_port, action_port) in enumerate(zip(rasa_ports, action_ports), start=1)
        ]
        # The chat page's widget talks to nginx, not to one Rasa server.
        self.web = Services({**shared, "RASA_PORT": self.port}, log_dir=self.log_dir / "web")
        self.nginx = Nginx(self.log_dir, self.port, self.action_port,
                           [s.env["RASA_PORT"] for s in self.instances],
                           [s.env["ACTION_PORT"] for s in self.instances])

    @property
    def url(self) -> str:
        """The load balancer: REST (/webhooks/rest/webhook) and socket.io."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def rasa_urls(self) -> List[str]:
        return [s.rasa_url for s in self.instances]

    def start(self, with_web: bool = True) -> "Cluster":
        try:
            check_redis(self.env)
            if make_url(self.database_url).get_backend_name() == "postgresql":
                ensure_database(self.database_url)
            prepare_schema(self.database_url)
            self.nginx.start()
            _in_parallel([s.start_actions for s in self.instances])
            _in_parallel([s.start_rasa for s in self.instances])
            if with_web:
                self.web.start_web()
        except BaseException:
            self.stop()
            raise
        return self

    def kill_rasa(self, index: int) -> None:
        """SIGKILL for one Rasa server (a crash: no clean shutdown, nothing flushed)."""
        process = self.instances[index].processes["rasa-server"]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        self.web.stop()
        for services in self.instances:
            services.stop()
        self.nginx.stop()

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run"])
    parser.parse_args()  # the model: `make run-cluster` trains first when data changed
    signal.signal(signal.SIGTERM, _interrupt)
    cluster = Cluster()
    print(f"Starting nginx, {len(cluster.instances)} action servers and {len(cluster.instances)} Rasa servers "
          f"(PostgreSQL {make_url(cluster.database_url).render_as_string(hide_password=True)}, "
          f"Redis {cluster.env['REDIS_HOST']}:{cluster.env['REDIS_PORT']}) …", flush=True)
    try:
        with cluster:
            print(f"Chat page:        {cluster.web.web_url}", flush=True)
            print(f"Load balancer:    {cluster.url}  (REST {cluster.url}/webhooks/rest/webhook, socket.io)", flush=True)
            print(f"Rasa servers:     {', '.join(cluster.rasa_urls)}", flush=True)
            print(f"Action servers:   {', '.join(s.action_url for s in cluster.instances)} "
                  f"(through nginx: {cluster.env['ACTION_ENDPOINT_URL']})", flush=True)
            print(f"Logs:             {cluster.log_dir}/", flush=True)
            print("Running. Stop with Ctrl-C.", flush=True)
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    except RuntimeError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    print("All services stopped.")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
