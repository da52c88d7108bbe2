#!/usr/bin/env python3
"""Runs a command with stdout and stderr on a pseudo-terminal (raw mode:
the bytes as written, no CR added; 100x40) and writes what the terminal
received to OUT. stdin is /dev/null. Exits with the command's status;
a command still running after 60 s is killed (status 124).

usage: ptyrun.py OUT CMD [ARG]...
"""
import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
import tty


def main():
    out, cmd = sys.argv[1], sys.argv[2:]
    master, slave = os.openpty()
    tty.setraw(slave)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                            close_fds=True)
    os.close(slave)
    got = bytearray()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                data = os.read(master, 65536)
            except OSError:   # EIO: every slave end closed
                break
            if not data:
                break
            got += data
        elif proc.poll() is not None:
            break
    try:
        status = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        status = 124
    os.close(master)
    with open(out, "wb") as f:
        f.write(got)
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main()
