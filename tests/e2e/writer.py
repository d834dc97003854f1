"""A client that writes every 20 ms through a service port and remembers which writes were acknowledged and
when: the longest gap between acknowledged writes is the write outage a client sees (switchover, failover)."""
import threading
import time

import psycopg
import psycopg.sql


class Writer(threading.Thread):
    """Inserts a numbered row (`id int`) into `table` every `interval` s through one member's service port,
    reconnecting after any error; `acked` holds (id, time) of acknowledged inserts, `errors` (time, message)."""

    def __init__(self, ip, dbname, user, password, table, port=5433, interval=0.02):
        super().__init__(daemon=True)
        self.ip, self.port, self.interval, self.table = ip, port, interval, table
        self.credentials = dict(dbname=dbname, user=user, password=password)
        self.stop, self.acked, self.errors = threading.Event(), [], []

    def run(self):
        conn, seq = None, 0
        while not self.stop.is_set():
            seq += 1
            try:
                if conn is None:
                    # no server-side prepared statements: pgBouncer pools transactions, not sessions
                    conn = psycopg.connect(host=self.ip, port=self.port, connect_timeout=2, autocommit=True,
                                           prepare_threshold=None, **self.credentials)
                conn.execute(psycopg.sql.SQL("INSERT INTO {} (id) VALUES (%s)").format(
                    psycopg.sql.Identifier(self.table)), (seq,))
                self.acked.append((seq, time.monotonic()))
            except psycopg.Error as exc:
                self.errors.append((time.monotonic(), str(exc).strip().splitlines()[0][:160]))
                if conn is not None:
                    conn.close()
                conn = None
            time.sleep(self.interval)
        if conn is not None:
            conn.close()

    def longest_gap(self) -> float:
        times = [t for _, t in self.acked]
        return max(b - a for a, b in zip(times, times[1:]))
