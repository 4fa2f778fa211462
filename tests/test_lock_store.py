"""The heartbeat lock store (addons/lock_store.py) against the Redis server of this machine: a
dead server's ticket holds a conversation only for the ticket lifetime, a live one keeps it
however long its message takes, and two servers never process one conversation at once.
Part of `make test-cluster` (marker `cluster`), which needs Redis anyway."""
import asyncio
import time
import uuid

import pytest
import redis
from rasa.core.lock_store import LockStore
from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import EndpointConfig

from addons.lock_store import HeartbeatRedisLockStore
from services import DEFAULTS, ROOT

pytestmark = pytest.mark.cluster
LIFETIME = 1.0  # short, so the tests are quick; endpoints-cluster.yml sets the real one
HEARTBEAT = 0.2


@pytest.fixture
def prefix():
    """Keys of their own (letters and digits only, as Rasa wants), deleted after the test."""
    key_prefix = f"coachlocktest{uuid.uuid4().hex[:8]}"
    client = redis.Redis(host=DEFAULTS["REDIS_HOST"], port=int(DEFAULTS["REDIS_PORT"]), db=int(DEFAULTS["REDIS_DB"]))
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis does not answer at {DEFAULTS['REDIS_HOST']}:{DEFAULTS['REDIS_PORT']}: {error}")
    yield key_prefix
    for key in client.scan_iter(f"{key_prefix}:*"):
        client.delete(key)
    client.close()


def server(prefix: str) -> HeartbeatRedisLockStore:
    """One Rasa server's lock store, configured as an endpoints file would."""
    return HeartbeatRedisLockStore(EndpointConfig(
        url=DEFAULTS["REDIS_HOST"], port=DEFAULTS["REDIS_PORT"], db=DEFAULTS["REDIS_DB"], key_prefix=prefix,
        ticket_lifetime=LIFETIME, heartbeat_interval=HEARTBEAT, type="addons.lock_store.HeartbeatRedisLockStore"))


async def seconds_until_acquired(store: HeartbeatRedisLockStore, conversation: str) -> float:
    started = time.monotonic()
    async with store.lock(conversation):
        return time.monotonic() - started


def test_a_dead_servers_ticket_holds_the_conversation_only_for_the_ticket_lifetime(prefix):
    dead, alive = server(prefix), server(prefix)
    dead.issue_ticket("conversation")  # took the lock, then died: nobody renews the ticket
    waited = asyncio.run(seconds_until_acquired(alive, "conversation"))
    assert LIFETIME / 2 < waited < LIFETIME + 0.5
    # Nothing of either stays in Redis.
    assert alive.red.keys(f"{prefix}:*") == []


def test_a_live_server_keeps_the_lock_longer_than_the_ticket_lifetime(prefix):
    first, second = server(prefix), server(prefix)
    timeline = []

    async def message(store, name, delay, seconds):
        await asyncio.sleep(delay)
        async with store.lock("conversation"):
            timeline.append((name, "start", time.monotonic()))
            await asyncio.sleep(seconds)
            timeline.append((name, "end", time.monotonic()))

    async def both():
        await asyncio.gather(message(first, "long", 0, 3 * LIFETIME), message(second, "next", 0.1, 0))

    asyncio.run(both())
    assert [(name, what) for name, what, _ in timeline] == [
        ("long", "start"), ("long", "end"), ("next", "start"), ("next", "end")]
    long_end, next_start = timeline[1][2], timeline[2][2]
    assert next_start - long_end < 0.5  # and it goes on at once


def test_two_servers_never_process_one_conversation_at_once(prefix):
    servers = [server(prefix), server(prefix)]
    inside, overlaps, done = [], [], []

    async def message(number):
        async with servers[number % 2].lock("conversation"):
            if inside:
                overlaps.append(number)
            inside.append(number)
            await asyncio.sleep(0.05)
            inside.remove(number)
            done.append(number)

    async def all_messages():
        await asyncio.gather(*(message(n) for n in range(12)))

    asyncio.run(all_messages())
    assert overlaps == []
    assert done == list(range(12))  # in the order the tickets were issued


def test_the_scale_out_endpoints_file_configures_it(monkeypatch):
    for name in ("ACTION_ENDPOINT_URL", "DATABASE_URL"):
        monkeypatch.setenv(name, "unused")
    for name in ("REDIS_HOST", "REDIS_PORT", "REDIS_DB", "REDIS_PASSWORD", "LOCK_STORE_KEY_PREFIX"):
        monkeypatch.setenv(name, DEFAULTS[name])
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints-cluster.yml"))
    store = LockStore.create(endpoints.lock_store)
    assert isinstance(store, HeartbeatRedisLockStore)
    # A dead server's ticket is gone before the next message has waited five seconds.
    assert store.ticket_lifetime + store.heartbeat_interval < 5
    assert store.key_prefix.startswith(DEFAULTS["LOCK_STORE_KEY_PREFIX"] + ":")
