"""Provider batch APIs: many chat requests in one job, at the batch discount, results within a day.

One pure codec per provider (openai.py, anthropic.py, gemini.py, mistral.py) maps the batch wire
format: build the upload / create / poll / cancel / results calls, parse what comes back. No I/O
here: the driver beside the client (providers/batch_driver.py) sends the calls, polls with the
shared job loop (providers/jobs.py) and joins the result lines back to the inputs (rows.py).
The request bodies are the chat codecs' own `build()` output. docs/batch.md describes it all.
"""

from __future__ import annotations

from .types import BatchCounts, BatchJob, BatchResults, BatchRow, BatchState, BatchStatus

__all__ = ["BatchCounts", "BatchJob", "BatchResults", "BatchRow", "BatchState", "BatchStatus"]
