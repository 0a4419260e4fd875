#!/usr/bin/env bash
# The worker encrypts every WebRTC and SRTP packet with libsrtp: it must carry libsrtp built on OpenSSL
# (scripts/build-libsrtp.sh), not load Debian's libsrtp2 on NSS, which costs 5-10x more per packet.
set -u
worker=${MEDIASOUP_WORKER_BIN:?}
if ldd "$worker" | grep -q 'libsrtp2\|libnss3'; then
  echo "FAIL: $worker loads Debian's libsrtp2 (NSS):"; ldd "$worker" | grep 'srtp\|nss'; exit 1
fi
if ! nm "$worker" | grep -q 'srtp_aes_gcm_128_openssl_description'; then
  echo "FAIL: $worker has no libsrtp OpenSSL ciphers"; exit 1
fi
echo "PASS: the worker links libsrtp on OpenSSL statically"
