"""`--workers N`: N processes on one port, sharing what a client can observe through one SQLite file.

Shared (in `<state dir>/state.sqlite`, WAL mode): sequence positions per namespace, rate-limit
budgets, scenarios added at run time (as a log of operations each worker replays), the journal
(entries pickled at the time they are journaled) and, in `<state dir>/store.sqlite` unless `--store`
names another file, stored completions. Per worker: scenario usage counts, the next-N pacing and the
live inspector's push of new entries (it shows its own worker's; a reload shows all). See
docs/operations.md#workers.
"""
