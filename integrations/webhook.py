"""The events webhook: one signed POST per event (``EVENTS_WEBHOOK_URL``).

The signature is ``sha256=`` and the hex HMAC-SHA256 of the exact body under
``EVENTS_WEBHOOK_SECRET``, in ``X-Leadbot-Signature`` (no header without a secret). Only 2xx
counts as delivered; the outbox retries everything else, so this client itself never retries.
"""

from __future__ import annotations

import hashlib
import hmac

from integrations.http import HttpClient, Pool

WEBHOOK_POOL = Pool(limit=4, total_timeout=10.0)
SIGNATURE_HEADER = "X-Leadbot-Signature"


def signature(secret: str, body: bytes) -> str:
    """The value of ``X-Leadbot-Signature`` for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookClient:
    """Posts event bodies to one URL."""

    def __init__(self, http: HttpClient, url: str, secret: str | None) -> None:
        self._http = http
        self._url = url
        self._secret = secret

    async def post(self, body: bytes) -> None:
        """POST the body; raises an ``IntegrationError`` unless the receiver answers 2xx."""
        headers = {"Content-Type": "application/json", "User-Agent": "leadbot-events/1"}
        if self._secret:
            headers[SIGNATURE_HEADER] = signature(self._secret, body)
        await self._http.request("POST", self._url, name="webhook.post", retry=False,
                                 headers=headers, data=body)
