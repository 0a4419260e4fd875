#!/usr/bin/env bash
# Media benchmark: this plugin (1 and 2 workers, lean and full consumers) vs Janus VideoRoom rtp_forward, plain
# RTP and SRTP, one VP8 publisher fanned out to N receivers. Builds what it needs: the C sender and sink, the
# recorded stream, and a second worker linked to Debian's libsrtp (NSS) for the SRTP before/after.
# Env: BENCH_SECONDS (6), BENCH_N ("100,400,800,1200,1600,2000"), BENCH_SERIES ("plain,srtp"), BENCH_NSS (1: also
# the Debian-libsrtp worker).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/build.sh >/dev/null
out=build/bench
mkdir -p "$out"
srtp=build/libsrtp/install
cc -O2 -Wall -o "$out/rtp_sink" bench/media/rtp_sink.c -I"$srtp/include/srtp2" "$srtp/lib/libsrtp2.a" -lcrypto
cc -O2 -Wall -o "$out/rtp_replay" bench/media/rtp_replay.c
# libsrtp alone: the worker's (OpenSSL) vs Debian's (NSS).
cc -O2 -Wall -o "$out/srtp_protect_openssl" bench/media/srtp_protect.c -I"$srtp/include/srtp2" "$srtp/lib/libsrtp2.a" -lcrypto
cc -O2 -Wall -o "$out/srtp_protect_nss" bench/media/srtp_protect.c -I/usr/include/srtp2 -lsrtp2
for lib in openssl nss; do
  for sessions in 1 400; do
    for suite in cm gcm; do echo "libsrtp on $lib: $("$out/srtp_protect_$lib" $sessions $suite)"; done
  done
done
# The publisher's stream, recorded once: 20 s of moving VP8 at ~1 Mbps (~110 packets/s), a keyframe every 2 s.
if [ ! -s "$out/vp8.rtp" ]; then
  gst-launch-1.0 -q videotestsrc num-buffers=600 pattern=smpte horizontal-speed=4 \
    ! video/x-raw,width=960,height=540,framerate=30/1 \
    ! vp8enc end-usage=cbr target-bitrate=450000 undershoot=100 deadline=1 cpu-used=4 keyframe-max-dist=60 \
    ! rtpvp8pay pt=101 ssrc=1000 mtu=1200 picture-id-mode=15-bit ! rtpstreampay ! filesink location="$out/vp8.rtp"
fi
if [ "${BENCH_NSS:-1}" = 1 ]; then
  WORKER_LIBSRTP=debian bash scripts/build-worker.sh "$root/build/worker-debian-libsrtp" >/dev/null
  export WORKER_DEBIAN_LIBSRTP=$root/build/worker-debian-libsrtp/mediasoup-worker
fi
# Hundreds of sockets in the sink and in each worker.
ulimit -n 16384
export TOP_SRCDIR=$root
node bench/media.mjs
