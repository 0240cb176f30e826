"""An asyncio server that runs beside the machine, on a thread and event loop of its own.

The TN3270 and telnet servers share this: each connection is a task the
server tracks (``_track`` runs the server's ``_handle``); ``close`` stops
listening and ends every session; ``start_in_thread`` runs the server's
``start`` coroutine on a new loop in a daemon thread and returns the bound
port (or raises what ``start`` raised), and ``stop`` ends the loop, which
runs ``close``, and waits for the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading


class ThreadedServer:
    """Mix-in: ``start()`` and ``close()`` coroutines, ``port``; run them on a thread."""

    thread_name = "server"
    port: int
    _server: asyncio.base_events.Server | None = None
    _tasks: set[asyncio.Task]
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    async def start(self) -> int:  # pragma: no cover - every server defines it
        raise NotImplementedError

    async def _handle(self, reader, writer) -> None:  # pragma: no cover - likewise
        raise NotImplementedError

    def _track(self, reader, writer) -> None:
        """A new connection: its session runs as a task the server can end."""
        task = asyncio.ensure_future(self._handle(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Stop listening and end every session (their devices are freed)."""
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5)
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await self._server.wait_closed()

    def start_in_thread(self) -> int:
        """Run the server on its own thread and event loop; return the bound port."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self.start())
            except BaseException as error:  # noqa: BLE001 - reported to the caller
                failure.append(error)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self.close())
                loop.close()

        self._thread = threading.Thread(target=serve, name=self.thread_name, daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self.port

    def stop(self) -> None:
        """Stop a server started with start_in_thread and wait for its thread."""
        if self._loop is not None and self._thread is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None
