"""A client for AnkiConnect (the Anki add-on 2055492159), protocol version 6.

Standard library only. Each request is a JSON POST `{"action", "version":
6, "params", "key"?}`; the add-on answers `{"result", "error"}` with HTTP
200, also for errors. Every request has a timeout, never goes through an
HTTP proxy (the package's path or bytes are sent), and every failure a user
can meet becomes an `AnkiConnectError` whose message is one line saying
what to do.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Sequence

from .errors import CardpressError

DEFAULT_URL = "http://127.0.0.1:8765"
PROTOCOL_VERSION = 6
ADDON_CODE = "2055492159"
DEFAULT_TIMEOUT = 10.0  # seconds, for each answer

_INSTALL = (f"install the AnkiConnect add-on in Anki (Tools > Add-ons > Get Add-ons, code {ADDON_CODE}) "
            "and restart Anki")
_UPDATE = "update the AnkiConnect add-on (Tools > Add-ons > Check for Updates) and restart Anki"
_KEY_ERROR = "valid api key must be provided"  # AnkiConnect's own words


class AnkiConnectError(CardpressError):
    """Talking to Anki failed; the message is the whole, one-line story."""


class ActionError(AnkiConnectError):
    """AnkiConnect ran the action and answered with an error (in the body)."""

    def __init__(self, action: str, message: str, url: str):
        super().__init__(f"push: error: AnkiConnect at {url} failed to run {action}: {message}")
        self.action = action
        self.message = message


def is_loopback(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # another host name: not resolved here, so never assumed local


def check_url(url: str, allow_remote: bool) -> str:
    """The URL, if it is one cardpress may send packages to: http(s), and on
    this machine unless `allow_remote`."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise AnkiConnectError(f"push: error: bad AnkiConnect URL {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AnkiConnectError(f"push: error: bad AnkiConnect URL {url!r}: expected http://HOST:PORT "
                               f"(AnkiConnect's default is {DEFAULT_URL})")
    if not allow_remote and not is_loopback(url):
        raise AnkiConnectError(f"push: error: {url} is not on this machine; cardpress sends your decks to it, so "
                               "pass --allow-remote if that is what you want")
    return url


@dataclass
class Handshake:
    version: int
    api_key_required: bool


class AnkiConnect:
    """One Anki reached through AnkiConnect at `url`."""

    def __init__(self, url: str = DEFAULT_URL, api_key: str | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.url = url
        self.api_key = api_key or None
        self.timeout = timeout
        # No proxies, whatever HTTP_PROXY says: the request carries a path on
        # this machine or a whole deck, and the add-on listens locally.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    # -- the protocol -----------------------------------------------------

    def _payload(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        payload: dict[str, Any] = {"action": action, "version": PROTOCOL_VERSION, "params": params}
        if self.api_key is not None:
            payload["key"] = self.api_key
        return payload

    def _post(self, payload: dict[str, Any], timeout: float) -> Any:
        data = json.dumps(payload).encode("utf-8")
        req = urllib.request.Request(self.url, data=data, headers={"Content-Type": "application/json"},
                                     method="POST")
        action = payload["action"]
        try:
            with self._opener.open(req, timeout=timeout) as resp:
                body = resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 403:
                raise AnkiConnectError(f"push: error: AnkiConnect at {self.url} refused the request (HTTP 403): "
                                       "allow it in the add-on's config (webCorsOriginList) or check --url") from None
            raise AnkiConnectError(f"push: error: {self.url} answered HTTP {exc.code}, not as AnkiConnect: "
                                   f"{_INSTALL}, or check --url") from None
        except urllib.error.URLError as exc:
            raise self._network_error(exc.reason, timeout) from None
        except (TimeoutError, socket.timeout, ConnectionError, http.client.HTTPException, OSError) as exc:
            raise self._network_error(exc, timeout) from None
        try:
            reply = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            reply = None
        if not isinstance(reply, dict) or "result" not in reply or "error" not in reply:
            raise AnkiConnectError(f"push: error: {self.url} answered {action}, but not as AnkiConnect (protocol "
                                   f"version {PROTOCOL_VERSION}) does: {_INSTALL} (or update it), or check --url")
        return reply

    def _network_error(self, reason: Any, timeout: float) -> AnkiConnectError:
        if isinstance(reason, ConnectionRefusedError):
            return AnkiConnectError(f"push: error: cannot reach Anki at {self.url} (connection refused): start Anki "
                                    f"with the AnkiConnect add-on (code {ADDON_CODE}), or check --url")
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return AnkiConnectError(f"push: error: Anki at {self.url} did not answer within {timeout:g} s: close "
                                    "any open dialog in Anki and try again, or raise --timeout")
        if isinstance(reason, (ConnectionResetError, http.client.RemoteDisconnected, http.client.BadStatusLine)):
            return AnkiConnectError(f"push: error: {self.url} closed the connection without an answer, which "
                                    f"AnkiConnect does not do: {_INSTALL}, or check --url")
        if isinstance(reason, socket.gaierror):
            return AnkiConnectError(f"push: error: cannot resolve the host of {self.url}: check --url")
        text = getattr(reason, "strerror", None) or str(reason)
        return AnkiConnectError(f"push: error: cannot reach Anki at {self.url} ({text}): check --url")

    def _raise_for(self, action: str, error: str) -> None:
        if error == _KEY_ERROR:
            if self.api_key is None:
                raise AnkiConnectError(f"push: error: AnkiConnect at {self.url} requires an API key: pass --api-key "
                                       "or set ANKICONNECT_API_KEY (the key is apiKey in Tools > Add-ons > "
                                       "AnkiConnect > Config)")
            raise AnkiConnectError(f"push: error: AnkiConnect at {self.url} refused the API key: check --api-key or "
                                   "ANKICONNECT_API_KEY against apiKey in Tools > Add-ons > AnkiConnect > Config")
        if error == "collection is not available":
            raise AnkiConnectError(f"push: error: Anki at {self.url} has no collection open: open your profile in "
                                   "Anki and try again")
        if error == "unsupported action":
            raise AnkiConnectError(f"push: error: AnkiConnect at {self.url} does not know the action {action}: "
                                   f"{_UPDATE}")
        raise ActionError(action, error, self.url)

    def request(self, action: str, timeout: float | None = None, **params: Any) -> Any:
        reply = self._post(self._payload(action, params), self.timeout if timeout is None else timeout)
        if reply["error"] is not None:
            self._raise_for(action, str(reply["error"]))
        return reply["result"]

    def multi(self, actions: Sequence[tuple[str, dict[str, Any]]], timeout: float | None = None) -> list[Any]:
        """Several actions in one request; each result, or raises for the
        first that failed. (AnkiConnect checks the key of each inner action.)"""
        if not actions:
            return []
        replies = self.request("multi", timeout=timeout, actions=[self._payload(a, p) for a, p in actions])
        if not isinstance(replies, list) or len(replies) != len(actions):
            raise AnkiConnectError(f"push: error: AnkiConnect at {self.url} answered multi with something else "
                                   f"than {len(actions)} replies: {_UPDATE}")
        results = []
        for (action, _), reply in zip(actions, replies):
            if isinstance(reply, dict) and "error" in reply and "result" in reply:
                if reply["error"] is not None:
                    self._raise_for(action, str(reply["error"]))
                results.append(reply["result"])
            else:  # a very old add-on answers inner actions without the envelope
                results.append(reply)
        return results

    # -- the first contact ---------------------------------------------------

    def handshake(self) -> Handshake:
        """Check that AnkiConnect answers, speaks version 6 or later and takes
        our key. `requestPermission` needs no key and says whether one is
        required; add-ons older than it only answer `version`."""
        required = False
        try:
            permission = self.request("requestPermission")
        except AnkiConnectError as exc:
            if "does not know the action" not in str(exc):
                raise
            permission = None
        if isinstance(permission, dict):
            if permission.get("permission") != "granted":
                raise AnkiConnectError(f"push: error: AnkiConnect at {self.url} denied permission: allow cardpress "
                                       "in Anki's prompt, or remove it from ignoreOriginList in the add-on's config")
            required = bool(permission.get("requireApikey"))
            if required and self.api_key is None:
                self._raise_for("requestPermission", _KEY_ERROR)
        version = self.request("version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise AnkiConnectError(f"push: error: {self.url} answered version with {version!r}, not as AnkiConnect "
                                   f"does: {_INSTALL}")
        if version < PROTOCOL_VERSION:
            raise AnkiConnectError(f"push: error: AnkiConnect at {self.url} speaks protocol version {version}; "
                                   f"cardpress needs {PROTOCOL_VERSION}: {_UPDATE}")
        return Handshake(version, required)
