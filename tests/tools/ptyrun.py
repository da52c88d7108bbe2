#!/usr/bin/env python3
"""Runs a command with stdout and stderr on a pseudo-terminal (raw mode:
the bytes as written, no CR added; 100x40) and writes what the terminal
received to OUT, and to OUT.hostile what in it a terminal would act on
(ESC, BEL, CR, a raw C1 byte, a C1 or bidi code point, ill-formed UTF-8;
empty when nothing). stdin is /dev/null. Exits with the command's status;
a command still running after 60 s is killed (status 124).

usage: ptyrun.py OUT CMD [ARG]...
"""
import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
import tty


# A well-formed multi-byte UTF-8 sequence (RFC 3629).
UTF8_SEQ = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]"
                      rb"|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
                      rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
                      rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}")


def hostile(b):
    found = [name for pat, name in ((b"\x1b", "ESC"), (b"\x07", "BEL"), (b"\r", "CR"))
             if pat in b]
    # A raw 0x9b is a CSI only outside a UTF-8 sequence: inside one (U+019B
    # is c6 9b) it is a continuation byte, which no terminal acts on.
    if b"\x9b" in re.sub(UTF8_SEQ, b"", b):
        found.append("raw-C1-CSI")
    if re.search(rb"\xc2[\x80-\x9f]", b):
        found.append("C1")
    if re.search(rb"\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c", b):
        found.append("bidi")
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        found.append("ill-formed-UTF-8")
    return " ".join(found)


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
    with open(out + ".hostile", "w") as f:
        f.write(hostile(bytes(got)))
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main()
