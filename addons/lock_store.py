"""Rasa's Redis lock store, without the long stall after a Rasa server dies mid-message.

Several Rasa servers share the conversation locks in Redis (endpoints-cluster.yml): a message
gets a ticket and waits until the tickets before it are done. Stock Rasa gives a ticket a fixed
lifetime of 60 s, so when a server dies while it processes a message, the next message of that
conversation waits until the dead server's ticket runs out.

Here a ticket lives `ticket_lifetime` seconds and is renewed every `heartbeat_interval`
seconds by the server that holds it, from the moment it is issued (while it waits its turn)
until its message is done. A live server keeps its ticket however long the message takes; a
dead one stops renewing, and its ticket is gone `ticket_lifetime` seconds later. Every change
to a lock is one Redis transaction (WATCH/MULTI), so a renewal never overwrites a ticket that
another server added in between (stock Rasa reads and writes the lock without one).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Text, Tuple

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

DEFAULT_TICKET_LIFETIME = 3.0
DEFAULT_HEARTBEAT_INTERVAL = 0.5
# How often a waiting message looks whether its turn has come (stock Rasa: every second).
POLL_INTERVAL = 0.1

# A change to a lock: gets the stored lock (None: none stored) and returns a result and the
# lock to store (None: delete the key).
Change = Callable[[Optional[TicketLock]], Tuple[Any, Optional[TicketLock]]]


class HeartbeatRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings = dict(endpoint_config.kwargs)
        self.ticket_lifetime = float(settings.pop("ticket_lifetime", DEFAULT_TICKET_LIFETIME))
        self.heartbeat_interval = float(settings.pop("heartbeat_interval", DEFAULT_HEARTBEAT_INTERVAL))
        if not 0 < self.heartbeat_interval < self.ticket_lifetime / 2:
            raise ValueError("heartbeat_interval must be below half of ticket_lifetime (a renewal may come late)")
        super().__init__(host=endpoint_config.url or "localhost", **settings)

    # -- atomic changes ---------------------------------------------------------------------
    def _change(self, conversation_id: Text, change: Change) -> Any:
        key = self.key_prefix + conversation_id

        def transaction(pipe: "redis.client.Pipeline") -> Any:
            stored = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(stored)) if stored else None
            result, new_lock = change(lock)
            pipe.multi()
            if new_lock is not None and new_lock.tickets:
                # The key outlives its newest ticket only briefly: nothing of a dead server stays.
                expires = max(ticket.expires for ticket in new_lock.tickets)
                pipe.set(key, new_lock.dumps(), px=max(1, int((expires - time.time()) * 1000)))
            elif stored:
                pipe.delete(key)
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = 0) -> int:
        """A ticket of `ticket_lifetime` seconds (Rasa's `lock_lifetime` is replaced by the heartbeat)."""

        def issue(lock: Optional[TicketLock]) -> Tuple[int, TicketLock]:
            lock = lock or self.create_lock(conversation_id)
            return lock.issue_ticket(self.ticket_lifetime), lock

        try:
            return self._change(conversation_id, issue)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def renew_ticket(self, conversation_id: Text, ticket_number: int) -> bool:
        """Pushes the ticket's end `ticket_lifetime` seconds ahead; False when it is gone."""

        def renew(lock: Optional[TicketLock]) -> Tuple[bool, Optional[TicketLock]]:
            if lock is None:
                return False, None
            lock.remove_expired_tickets()
            ticket = next((t for t in lock.tickets if t.number == ticket_number), None)
            if ticket is not None:
                ticket.expires = time.time() + self.ticket_lifetime
            return ticket is not None, lock

        return self._change(conversation_id, renew)

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[None, Optional[TicketLock]]:
            if lock is not None:
                lock.remove_expired_tickets()
            return None, lock

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def remove(lock: Optional[TicketLock]) -> Tuple[None, Optional[TicketLock]]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return None, lock

        self._change(conversation_id, remove)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # The key goes with its last ticket (in _change), in the same transaction.
        self.finish_serving(conversation_id, ticket_number)

    # -- the lock around one message ----------------------------------------------------------
    async def _heartbeat(self, conversation_id: Text, ticket_number: int) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_interval)
            try:
                alive = self.renew_ticket(conversation_id, ticket_number)
            except redis.RedisError as error:
                logger.warning("Could not renew the lock ticket of a conversation: %s", error)
                continue
            if not alive:
                # The event loop was blocked longer than ticket_lifetime: another message of
                # this conversation may run at the same time now.
                logger.warning("A conversation's lock ticket expired while its message was processed; "
                               "ticket_lifetime (endpoints-cluster.yml) may be too short for this load")
                return

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = 0,
                   wait_time_in_seconds: float = POLL_INTERVAL) -> AsyncGenerator[TicketLock, None]:
        ticket = self.issue_ticket(conversation_id)
        heartbeat = asyncio.create_task(self._heartbeat(conversation_id, ticket))
        try:
            yield await self._acquire_lock(conversation_id, ticket, min(wait_time_in_seconds, POLL_INTERVAL))
        finally:
            heartbeat.cancel()
            self.cleanup(conversation_id, ticket)
