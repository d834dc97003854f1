"""PID 1 of a sandbox node (standard library only; run by the host's /usr/bin/python3).

Started inside the node's network namespace by `unshare --mount --uts --pid --fork --kill-child --mount-proc
--propagation private`. Given a JSON spec, it sets the hostname, bind-mounts the node's own directories over
the standard paths, mounts tmpfs on /run and /tmp, then runs supervisord and sshd side by side until SIGTERM,
reaping every orphan meanwhile. On SIGTERM it stops both and exits, which ends every process of the node.
"""
import grp
import json
import os
import pwd
import signal
import socket
import subprocess
import sys
import time


def log(message):
    print(f"launcher: {message}", file=sys.stderr, flush=True)


def mount(*args):
    subprocess.run(["mount", *args], check=True)


def prepare(spec):
    socket.sethostname(spec["hostname"])
    for source, target in spec["binds"]:
        mount("--bind", source, target)
    for target, mode in spec["tmpfs"]:
        mount("-t", "tmpfs", "-o", f"mode={mode}", "tmpfs", target)
    for path, user, group, mode in spec["run_dirs"]:
        os.makedirs(path, exist_ok=True)
        os.chown(path, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)
        os.chmod(path, mode)
    os.chdir("/")


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    prepare(spec)
    children = {}

    def stop(signum, frame):
        log(f"signal {signum}: stopping")
        for proc in children.values():
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in children.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    supervisord = subprocess.Popen(["/usr/bin/supervisord", "-n", "-c", "/etc/supervisor/supervisord.conf"])
    children[supervisord.pid] = supervisord
    sshd = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", "/etc/ssh/sshd_config"])
    children[sshd.pid] = sshd
    log(f"up: supervisord {supervisord.pid}, sshd {sshd.pid}")
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            time.sleep(1)
            continue
        if pid in children:
            log(f"{children.pop(pid).args[0]} exited with status {status}")


if __name__ == "__main__":
    main()
