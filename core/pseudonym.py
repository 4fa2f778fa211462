"""Keyed hashes for sender ids, so no database holds a user's id in clear (plain Python)."""
import fcntl
import hashlib
import hmac
import os
import secrets
from pathlib import Path

SECRET_VARIABLE = "SENDER_HASH_SECRET"
DOTENV = Path(__file__).resolve().parent.parent / ".env"


def ensure_secret(dotenv: Path = DOTENV) -> str:
    """The key from the environment or `.env`; created once in `.env` when neither has one, so
    the first start of any process (`make run`, `rasa run`, `rasa run actions`) sets it up. The
    file lock keeps two processes starting at the same moment from writing two keys."""
    secret = os.environ.get(SECRET_VARIABLE)
    if secret:
        return secret
    from dotenv import dotenv_values

    with open(dotenv, "a+", encoding="utf-8") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        secret = dotenv_values(dotenv).get(SECRET_VARIABLE)
        if not secret:
            secret = secrets.token_hex(32)
            file.write(
                "\n# Key for the pseudonymous sender ids in the logs; created on the first start.\n"
                "# Changing it starts new pseudonyms (old sessions can no longer be linked to a user).\n"
                f"{SECRET_VARIABLE}={secret}\n"
            )
    os.environ[SECRET_VARIABLE] = secret
    return secret


def pseudonym(sender_id: str, secret: str = "") -> str:
    """HMAC-SHA256 of the sender id; the same id always maps to the same pseudonym."""
    key = (secret or os.environ.get(SECRET_VARIABLE) or ensure_secret()).encode("utf-8")
    return hmac.new(key, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()
