"""Running one function per node concurrently; the first failure is re-raised naming its node."""
from concurrent.futures import ThreadPoolExecutor

from django.db import connection


def each(nodes, function, max_workers: int = 8):
    """Call function(node) for every node at once and return results in node order."""
    nodes = list(nodes)
    if len(nodes) <= 1:
        return [function(node) for node in nodes]

    def call(node):
        try:
            return function(node)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=min(max_workers, len(nodes))) as pool:
        futures = [pool.submit(call, node) for node in nodes]
        return [future.result() for future in futures]
