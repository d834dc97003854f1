#!/usr/bin/python3
"""Patroni, started as /usr/bin/patroni starts it, with one timing changed: while it demotes a primary (switchover,
graceful failover) Patroni polls pg_controldata for "shut down" before it releases the leader key, and Patroni
3.0's poll interval of 1 s adds up to a second to every planned write outage; here it polls every 0.1 s.
Written to /pg/bin/patroni by rdsconsole (edits are overwritten); Debian's Patroni package is unchanged."""
import sys

import patroni.postgresql
from patroni.__main__ import main

patroni.postgresql.STOP_POLLING_INTERVAL = 0.1

if __name__ == "__main__":  # Patroni starts PostgreSQL through multiprocessing, which imports this file again
    sys.argv[0] = "patroni"
    sys.exit(main())
