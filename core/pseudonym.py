"""Keyed hashes for sender ids, so no database holds a user's id in clear (plain Python)."""
import hashlib
import hmac
import os

SECRET_VARIABLE = "SENDER_HASH_SECRET"


def pseudonym(sender_id: str, secret: str = "") -> str:
    """HMAC-SHA256 of the sender id; the same id always maps to the same pseudonym."""
    key = (secret or os.environ.get(SECRET_VARIABLE) or "").encode("utf-8")
    if not key:
        raise RuntimeError(f"{SECRET_VARIABLE} is not set; scripts/services.py creates one in .env")
    return hmac.new(key, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()
