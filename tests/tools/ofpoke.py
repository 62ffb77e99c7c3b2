#!/usr/bin/python3
"""ofpoke: hostile and would-be switch clients for a controller's OpenFlow
port (tests/integration/t_ofnat_conn.sh).

usage: ofpoke.py HOST PORT MODE [ARGS]

  switch DPID HOLD  HELLO 1.3, answer FEATURES_REQUEST with DPID (hex) and
                    echoes, for HOLD seconds at most; prints "closed" if
                    the controller closed first, else "held"
  garbage           64 bytes that are not OpenFlow
  badversion        an OpenFlow 1.0 HELLO (no version bitmap)
  shortlen          a 1.3 HELLO whose length field says 4
  halfopen          connect and say nothing
  flood N           N half-open connections at once
  hammer DPID STOP  until the file STOP exists (at most 300 connects, 120 s),
                    connect every 0.1-0.3 s, each time in the next of the
                    ways above (a switch with DPID, another datapath,
                    garbage, bad version, short length, half-open, and
                    connect-and-close); writes the count so far to STOP.n

Single modes print "closed after S s" once the controller closes the
connection (10 s at most, else "still open") and exit 0.  Nothing here
decides a test: the controller's counters do.
"""
import os
import random
import select
import socket
import struct
import sys
import time

OFP13 = 0x04
HELLO, ERROR, ECHO_REQ, ECHO_REP, FEAT_REQ, FEAT_REP = 0, 1, 2, 3, 5, 6


def hdr(version, mtype, length, xid=1):
    return struct.pack('!BBHI', version, mtype, length, xid)


def hello13():
    # One VERSIONBITMAP element (type 1, length 8) with bit 4 set.
    return hdr(OFP13, HELLO, 16) + struct.pack('!HHI', 1, 8, 1 << OFP13)


def features_reply(xid, dpid):
    return hdr(OFP13, FEAT_REP, 32, xid) + struct.pack(
        '!QIBB2xII', dpid, 0, 254, 0, 0x4f, 0)


def connect(host, port):
    return socket.create_connection((host, port), timeout=5)


def wait_closed(s, limit=10.0):
    """Read until the peer closes; the seconds that took, or None."""
    start = time.monotonic()
    s.setblocking(False)
    while time.monotonic() - start < limit:
        r, _, _ = select.select([s], [], [], 0.2)
        if not r:
            continue
        try:
            if s.recv(65536) == b'':
                return time.monotonic() - start
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - start
        except BlockingIOError:
            pass
    return None


def run_switch(s, dpid, hold):
    """Play a switch; True if the controller closed within hold s."""
    s.sendall(hello13())
    buf = b''
    end = time.monotonic() + hold
    s.setblocking(False)
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], 0.1)
        if not r:
            continue
        try:
            data = s.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return True
        except BlockingIOError:
            continue
        if data == b'':
            return True
        buf += data
        while len(buf) >= 8:
            _, mtype, length, xid = struct.unpack('!BBHI', buf[:8])
            if length < 8 or len(buf) < length:
                break
            msg, buf = buf[:length], buf[length:]
            try:
                if mtype == FEAT_REQ:
                    s.sendall(features_reply(xid, dpid))
                elif mtype == ECHO_REQ:
                    s.sendall(hdr(OFP13, ECHO_REP, length, xid) + msg[8:])
            except OSError:
                return True
    return False


def closed_line(s):
    t = wait_closed(s)
    print('still open' if t is None else 'closed after %.1f s' % t)


def one(host, port, mode, args):
    s = connect(host, port)
    if mode == 'switch':
        closed = run_switch(s, int(args[0], 16), float(args[1]))
        print('closed' if closed else 'held')
    elif mode == 'garbage':
        s.sendall(b'GET / HTTP/1.0\r\n' * 4)
        closed_line(s)
    elif mode == 'badversion':
        s.sendall(hdr(0x01, HELLO, 8))
        closed_line(s)
    elif mode == 'shortlen':
        s.sendall(hdr(OFP13, HELLO, 4))
        closed_line(s)
    elif mode == 'halfopen':
        closed_line(s)
    else:
        sys.exit('ofpoke: unknown mode ' + mode)
    s.close()


def flood(host, port, n):
    socks = [connect(host, port) for _ in range(n)]
    closed = sum(wait_closed(s, 10.0) is not None for s in socks)
    print('%d of %d closed by the controller' % (closed, n))
    for s in socks:
        s.close()


def hammer(host, port, dpid, stop):
    rng = random.Random(14)
    held = []
    kinds = ['switch', 'otherdp', 'garbage', 'badversion', 'shortlen',
             'halfopen', 'close']
    n = 0
    start = time.monotonic()
    while (not os.path.exists(stop) and n < 300 and
           time.monotonic() - start < 120):
        kind = kinds[n % len(kinds)]
        try:
            s = connect(host, port)
            if kind in ('switch', 'otherdp'):
                run_switch(s, dpid if kind == 'switch' else dpid ^ 1, 2.0)
                s.close()
            elif kind == 'halfopen':
                held.append(s)  # the controller's deadline closes it
            elif kind == 'close':
                s.close()
            else:
                s.sendall({'garbage': b'\xff' * 64,
                           'badversion': hdr(0x01, HELLO, 8),
                           'shortlen': hdr(OFP13, HELLO, 4)}[kind])
                wait_closed(s, 2.0)
                s.close()
        except OSError as e:
            print('connect %d (%s): %s' % (n, kind, e))
        n += 1
        with open(stop + '.n', 'w') as f:
            f.write('%d\n' % n)
        time.sleep(rng.uniform(0.1, 0.3))
    for s in held:
        s.close()
    print('%d connects in %.1f s' % (n, time.monotonic() - start))


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if mode == 'flood':
        flood(host, port, int(sys.argv[4]))
    elif mode == 'hammer':
        hammer(host, port, int(sys.argv[4], 16), sys.argv[5])
    else:
        one(host, port, mode, sys.argv[4:])


if __name__ == '__main__':
    main()
