"""An AnkiConnect-protocol server for the tests, on 127.0.0.1 (a free port),
backed by a real Anki collection (the `anki` package: Anki's own Rust
backend).

Each action does what the add-on (AnkiConnect, plugin/__init__.py) does in
Anki 26.9, with the same calls: `importPackage` runs Anki's
`AnkiPackageImporter(col, path)` (`col.import_anki_package` with
merge_notetypes, with_scheduling and with_deck_configs on), `findNotes` is
`col.find_notes`, `deleteNotes` is `col.remove_notes`, `storeMediaFile` is
`col.media.write_data`; the API key is checked on every action except
`requestPermission`, also inside `multi`; errors come back in the body with
HTTP 200, as `{"result": null, "error": "..."}`.

Switches for the error paths, settable while it runs:
- `version`: what `version` reports (AnkiConnect says 6);
- `api_key`: the key the add-on's config requires (None: none);
- `delay`: seconds to wait before answering any request;
- `mode`: "anki" (the add-on), "not-found" (another web server: HTTP 404),
  "not-json" (HTTP 200 with a page), "hang-up" (closes without answering);
- `import_error`: makes `importPackage` fail with this message.
`requests` logs every action run, in order (inner actions of `multi` too).
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from anki.collection import Collection


class AnkiConnectServer:
    def __init__(self, collection_path: Path, *, version: int = 6, api_key: str | None = None,
                 delay: float = 0.0, mode: str = "anki"):
        self.col = Collection(str(collection_path))  # the path must end in .anki2
        self.lock = threading.RLock()  # the collection is used by one thread at a time
        self.version = version
        self.api_key = api_key
        self.delay = delay
        self.mode = mode
        self.import_error: str | None = None
        self.requests: list[str] = []
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._http.daemon_threads = True
        self._http.block_on_close = False
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "AnkiConnectServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        with self.lock:
            self.col.close()

    def __enter__(self) -> "AnkiConnectServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- HTTP ---------------------------------------------------------------

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if server.delay:
                    time.sleep(server.delay)
                if server.mode == "hang-up":
                    self.close_connection = True
                    return
                if server.mode == "not-found":
                    self._send(404, b"<html><body>Not Found</body></html>", "text/html")
                    return
                if server.mode == "not-json":
                    self._send(200, b"<html><body>Hello</body></html>", "text/html")
                    return
                try:
                    request = json.loads(body.decode("utf-8")) if body else None
                except ValueError:
                    request = None
                if not isinstance(request, dict):  # as the add-on does for an empty body
                    self._send(200, f"AnkiConnect v.{server.version}".encode(), "text/json")
                    return
                reply = server.handle(request)
                self._send(200, json.dumps(reply).encode("utf-8"), "text/json")

            def _send(self, code: int, data: bytes, ctype: str) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    # -- the add-on ---------------------------------------------------------------

    def handle(self, request: dict[str, Any]) -> Any:
        action = request.get("action", "")
        version = request.get("version", 4)
        params = request.get("params", {}) or {}
        try:
            if request.get("key") != self.api_key and action != "requestPermission":
                raise Exception("valid api key must be provided")
            method = getattr(self, "action_" + action, None)
            if method is None:
                raise Exception("unsupported action")
            self.requests.append(action)
            with self.lock:
                result = method(**params)
            return result if version <= 4 else {"result": result, "error": None}
        except Exception as exc:  # noqa: BLE001 - the add-on answers every error in the body
            return {"result": None, "error": str(exc)}

    def action_version(self) -> int:
        return self.version

    def action_requestPermission(self, origin: str = "", allowed: bool = True) -> dict:
        return {"permission": "granted", "requireApikey": bool(self.api_key), "version": self.version}

    def action_multi(self, actions: list[dict]) -> list:
        return [self.handle(a) for a in actions]

    def action_importPackage(self, path: str) -> bool:
        if self.import_error:
            raise Exception(self.import_error)
        from anki.importing import AnkiPackageImporter  # what the add-on calls

        AnkiPackageImporter(self.col, path).run()
        return True

    def action_findNotes(self, query: str | None = None) -> list[int]:
        if query is None:
            return []
        return list(self.col.find_notes(query))

    def action_notesInfo(self, notes: list[int] | None = None, query: str | None = None) -> list[dict]:
        if notes is None:
            notes = list(self.col.find_notes(query or ""))
        out = []
        for nid in notes:
            try:
                note = self.col.get_note(nid)
            except Exception:  # noqa: BLE001 - NotFoundError: the add-on answers {}
                out.append({})
                continue
            model = note.note_type()
            fields = {f["name"]: {"value": note.fields[f["ord"]], "order": f["ord"]} for f in model["flds"]}
            cards = self.col.db.list("select id from cards where nid = ? order by ord", nid)
            out.append({"noteId": note.id, "profile": "User 1", "tags": note.tags, "fields": fields,
                        "modelName": model["name"], "mod": note.mod, "cards": cards})
        return out

    def action_deleteNotes(self, notes: list[int]) -> None:
        self.col.remove_notes(notes)

    def action_modelStyling(self, modelName: str) -> dict:
        return {"css": self._model(modelName)["css"]}

    def action_modelTemplates(self, modelName: str) -> dict:
        return {t["name"]: {"Front": t["qfmt"], "Back": t["afmt"]} for t in self._model(modelName)["tmpls"]}

    def _model(self, name: str) -> dict:
        model = self.col.models.by_name(name)
        if model is None:
            raise Exception(f"model was not found: {name}")
        return model

    def action_storeMediaFile(self, filename: str, data: str | None = None, path: str | None = None,
                              url: str | None = None, skipHash: str | None = None,
                              deleteExisting: bool = True) -> str:
        if data is None:
            raise Exception("this test server takes only data")
        if deleteExisting:
            self.col.media.trash_files([filename])
        return self.col.media.write_data(filename, base64.b64decode(data))

    def action_deleteMediaFile(self, filename: str) -> None:
        self.col.media.trash_files([filename])

    def action_getMediaDirPath(self) -> str:
        return os.path.abspath(self.col.media.dir())
