#!/usr/bin/python3
"""A plain RTP/SRTP endpoint for the tests: sends numbered RTP packets, or receives and checks them.

send: rtp_peer.py send --to IP:PORT --ssrc N --pt N --count N [--bind PORT] [--srtp SUITE:KEY]
recv: rtp_peer.py recv --count N --timeout S [--bind PORT] [--srtp SUITE:KEY]
Each prints one JSON line when its socket is bound ({"port": …}) and one with the outcome. SUITE is one of
mediasoup's names and KEY the base64 master key + salt; a receiver decrypts with it (libsrtp through Debian's
python3-pylibsrtp) and counts what does not authenticate.
"""
import argparse
import base64
import json
import select
import socket
import struct
import sys
import time

PROFILES = {
    "AES_CM_128_HMAC_SHA1_80": "SRTP_PROFILE_AES128_CM_SHA1_80",
    "AES_CM_128_HMAC_SHA1_32": "SRTP_PROFILE_AES128_CM_SHA1_32",
    "AEAD_AES_128_GCM": "SRTP_PROFILE_AEAD_AES_128_GCM",
    "AEAD_AES_256_GCM": "SRTP_PROFILE_AEAD_AES_256_GCM",
}


def session(spec, outbound):
    if not spec:
        return None
    import pylibsrtp  # only SRTP runs need it

    suite, key = spec.split(":", 1)
    policy = pylibsrtp.Policy(
        key=base64.b64decode(key),
        ssrc_type=pylibsrtp.Policy.SSRC_ANY_OUTBOUND if outbound else pylibsrtp.Policy.SSRC_ANY_INBOUND,
        srtp_profile=getattr(pylibsrtp.Policy, PROFILES[suite]),
    )
    return pylibsrtp.Session(policy=policy)


def open_socket(address, bind_port):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((address, bind_port))
    print(json.dumps({"port": sock.getsockname()[1]}), flush=True)
    return sock


def send(args):
    host, port = args.to.rsplit(":", 1)
    host = host.strip("[]")
    sock = open_socket(args.bind_ip or ("::1" if ":" in host else "127.0.0.1"), args.bind)
    srtp = session(args.srtp, True)
    payload = bytes(range(160))
    for seq in range(args.count):
        header = struct.pack("!BBHII", 0x80, (0x80 if seq == 0 else 0) | args.pt, seq, seq * 960, args.ssrc)
        packet = header + payload
        sock.sendto(srtp.protect(packet) if srtp else packet, (host, int(port)))
        time.sleep(args.interval_ms / 1000)
    print(json.dumps({"sent": args.count}), flush=True)


def receive(args):
    sock = open_socket(args.bind_ip or "127.0.0.1", args.bind)
    srtp = session(args.srtp, False)
    rtp, rtcp, undecryptable = 0, 0, 0
    ssrcs, pts, sequences = set(), set(), set()
    last, max_gap = None, 0.0  # the longest silence between two packets, once they flow
    first_at = last_at = None  # wall clock (ms) of the first and last RTP packets (benchmarks time the way to them)
    deadline = time.monotonic() + args.timeout
    while rtp < args.count and time.monotonic() < deadline:
        ready, _, _ = select.select([sock], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        data = sock.recv(65536)
        if len(data) < 12 or data[0] >> 6 != 2:
            continue
        if 192 <= data[1] <= 223:  # RTCP (RFC 5761 demultiplexing)
            rtcp += 1
            continue
        if srtp:
            try:
                data = srtp.unprotect(data)
            except Exception:  # pylibsrtp raises its own error for bad authentication or replays
                undecryptable += 1
                continue
        rtp += 1
        now = time.monotonic()
        if last is not None:
            max_gap = max(max_gap, now - last)
        else:
            first_at = time.time() * 1000
        last, last_at = now, time.time() * 1000
        ssrcs.add(struct.unpack("!I", data[8:12])[0])
        pts.add(data[1] & 0x7F)
        sequences.add(struct.unpack("!H", data[2:4])[0])
    print(json.dumps({"rtp": rtp, "rtcp": rtcp, "undecryptable": undecryptable, "ssrcs": sorted(ssrcs),
                      "payloadTypes": sorted(pts), "distinctSequenceNumbers": len(sequences),
                      "maxGapMs": round(max_gap * 1000), "firstAtMs": first_at,
                      "lastAtMs": last_at}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["send", "recv"])
    parser.add_argument("--to")
    parser.add_argument("--bind", type=int, default=0)
    parser.add_argument("--bind-ip")
    parser.add_argument("--ssrc", type=int, default=1111)
    parser.add_argument("--pt", type=int, default=100)
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--interval-ms", type=float, default=5)
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument("--srtp")
    args = parser.parse_args()
    send(args) if args.mode == "send" else receive(args)


if __name__ == "__main__":
    sys.exit(main())
