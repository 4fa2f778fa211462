"""Throughput of the scale-out (scripts/cluster.py): turns per second, one Rasa server against
two behind nginx, with PostgreSQL and Redis as in production, and what each of them did.

    python -m bench.cluster    # ~5 min -> results/cluster-bench.json
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Dict, List

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench import ROOT, latency

sys.path.insert(0, str(ROOT / "scripts"))
from cluster import Cluster  # noqa: E402

BENCH_SCRIPT = [
    "Hallo", "Ich habe einfach keine Zeit für LinkedIn", "Ja, aber das überzeugt mich nicht",
    "Trotzdem skeptisch", "ok, das leuchtet ein", "Schritt 2 mache ich bis Freitag", "Tschüss", "4",
]


def _cpu_seconds(pids: List[int]) -> float:
    """User + system CPU time of these processes and all their descendants (/proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: Dict[int, List[int]] = {}
    stats: Dict[int, List[str]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                raw = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = raw[raw.rindex(")") + 2:].split()
            stats[int(entry)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, list(pids)
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        if pid in stats:
            total += int(stats[pid][11]) + int(stats[pid][12])
    return total / ticks


def _postgres_pids() -> List[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and _comm(p) == "postgres"]


def _comm(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


class Meters:
    """What PostgreSQL, Redis and the Rasa servers did during one load phase."""

    def __init__(self, cluster: Cluster) -> None:
        import redis

        self.cluster = cluster
        self.redis = redis.Redis(host=cluster.env["REDIS_HOST"], port=int(cluster.env["REDIS_PORT"]),
                                 password=cluster.env["REDIS_PASSWORD"] or None)
        self.engine = sa.create_engine(cluster.database_url, future=True)
        self.database = make_url(cluster.database_url).database

    def snapshot(self) -> Dict[str, float]:
        with self.engine.connect() as connection:
            commits, inserted, fetched = connection.execute(sa.text(
                "SELECT xact_commit, tup_inserted, tup_fetched FROM pg_stat_database WHERE datname = :d"),
                {"d": self.database}).one()
        redis_stats, redis_cpu = self.redis.info("stats"), self.redis.info("cpu")
        return {
            "pg_commits": commits, "pg_rows_inserted": inserted, "pg_rows_fetched": fetched,
            "pg_cpu_s": _cpu_seconds(_postgres_pids()),
            "redis_commands": redis_stats["total_commands_processed"],
            "redis_cpu_s": redis_cpu["used_cpu_user"] + redis_cpu["used_cpu_sys"],
            **{f"rasa{n}_cpu_s": _cpu_seconds([s.processes["rasa-server"].pid])
               for n, s in enumerate(self.cluster.instances, start=1)},
            "actions_cpu_s": _cpu_seconds([s.processes["action-server"].pid for s in self.cluster.instances]),
            "nginx_cpu_s": _cpu_seconds([self.cluster.nginx.process.pid]),
        }

    @staticmethod
    def per_phase(before: Dict[str, float], after: Dict[str, float], turns: int, seconds: float) -> Dict[str, float]:
        delta = {key: after[key] - before[key] for key in before}
        return {
            "pg_commits_per_turn": round(delta["pg_commits"] / max(turns, 1), 1),
            "pg_commits_per_s": round(delta["pg_commits"] / seconds, 1),
            "pg_rows_inserted_per_turn": round(delta["pg_rows_inserted"] / max(turns, 1), 1),
            "redis_commands_per_turn": round(delta["redis_commands"] / max(turns, 1), 1),
            "redis_commands_per_s": round(delta["redis_commands"] / seconds, 1),
            # Share of one CPU core during the phase (PostgreSQL: all its processes on the machine).
            **{key.replace("_cpu_s", "_core_share"): round(value / seconds, 2)
               for key, value in delta.items() if key.endswith("_cpu_s")},
        }

    def close(self) -> None:
        self.engine.dispose()
        self.redis.close()


def bench(concurrency: List[int], seconds: float, max_turns: int) -> Dict[str, object]:
    """The same bounded REST load (bench/latency.py) against one Rasa server directly and against
    both through nginx, phases alternating, with PostgreSQL and Redis as in production."""
    results: List[Dict[str, object]] = []
    with Cluster() as cluster:
        meters = Meters(cluster)
        targets = {"one Rasa server (direct)": cluster.rasa_urls[0], "two Rasa servers (nginx)": cluster.url}
        for url in [*cluster.rasa_urls, cluster.url]:  # warm-up: the first calls of each server are slow
            asyncio.run(latency.run_load(url, BENCH_SCRIPT, 2, 40, 60, "cluster-warmup"))
        for level in concurrency:
            for name, url in targets.items():
                before = meters.snapshot()
                result = asyncio.run(latency.run_load(url, BENCH_SCRIPT, level, max_turns, seconds,
                                                      f"cluster-bench-{level}"))
                usage = Meters.per_phase(before, meters.snapshot(), result["turns"], result["seconds"])
                results.append({"setup": name, **result, **usage})
                print(json.dumps(results[-1]), flush=True)
        meters.close()
        database_url = cluster.database_url
    return {"database": make_url(database_url).render_as_string(hide_password=True),
            "lock_store": "redis", "cpus": os.cpu_count(), "script": BENCH_SCRIPT, "phases": results}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", default="4,16", help="conversations at once, comma-separated")
    parser.add_argument("--seconds", type=float, default=60, help="time limit per phase")
    parser.add_argument("--max-turns", type=int, default=800, help="turn limit per phase")
    args = parser.parse_args()
    figures = bench([int(c) for c in args.concurrency.split(",")], args.seconds, args.max_turns)
    (ROOT / "results").mkdir(exist_ok=True)
    (ROOT / "results" / "cluster-bench.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print("Written: results/cluster-bench.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
