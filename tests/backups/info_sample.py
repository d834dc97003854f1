"""`pgbackrest info --output=json` as pgBackRest 2.45 prints it for a stanza with a full and an incremental backup
(shape taken from a sandbox node; values shortened)."""

FULL_START, FULL_STOP = 1795600800, 1795600812  # 2026-11-25 10:00:00 / 10:00:12 UTC
INCR_START, INCR_STOP = 1795604400, 1795604403  # 2026-11-25 11:00:00 / 11:00:03 UTC


def info(name="pg-test", status=(0, "ok"), incr_error=False):
    return [{
        "archive": [{"database": {"id": 1, "repo-key": 1}, "id": "15-1",
                     "max": "000000010000000000000009", "min": "000000010000000000000003"}],
        "backup": [
            {"annotation": None, "archive": {"start": "000000010000000000000004", "stop": "000000010000000000000004"},
             "backrest": {"format": 5, "version": "2.45"}, "database": {"id": 1, "repo-key": 1}, "error": False,
             "info": {"delta": 31534040, "repository": {"delta": 4094126, "size": 4094126}, "size": 31534040},
             "label": "20261125-100000F", "link": None, "lsn": {"start": "0/4000028", "stop": "0/4000138"},
             "prior": None, "reference": None, "tablespace": None,
             "timestamp": {"start": FULL_START, "stop": FULL_STOP}, "type": "full"},
            {"annotation": None, "archive": {"start": "000000010000000000000008", "stop": "000000010000000000000008"},
             "backrest": {"format": 5, "version": "2.45"}, "database": {"id": 1, "repo-key": 1},
             "error": incr_error,
             "info": {"delta": 8192, "repository": {"delta": 1280, "size": 4095406}, "size": 31542232},
             "label": "20261125-100000F_20261125-110000I", "link": None,
             "lsn": {"start": "0/8000028", "stop": "0/8000100"}, "prior": "20261125-100000F",
             "reference": ["20261125-100000F"], "tablespace": None,
             "timestamp": {"start": INCR_START, "stop": INCR_STOP}, "type": "incr"},
        ],
        "cipher": "none", "db": [{"id": 1, "repo-key": 1, "system-id": 7440000000000000000, "version": "15"}],
        "name": name, "repo": [{"cipher": "none", "key": 1, "status": {"code": status[0], "message": status[1]}}],
        "status": {"code": status[0], "lock": {"backup": {"held": False}}, "message": status[1]},
    }]
