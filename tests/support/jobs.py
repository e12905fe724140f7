"""Running queued jobs inside the test process (the ``run_jobs`` fixture)."""

from __future__ import annotations

from rq import SimpleWorker


class BurstWorker(SimpleWorker):
    """RQ's SimpleWorker without its remote-command channel, which an in-process burst never
    uses and whose listener thread takes up to a second to stop after every burst."""

    def subscribe(self) -> None:
        pass

    def unsubscribe(self) -> None:
        pass
