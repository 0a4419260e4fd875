#!/usr/bin/env bash
# Installs the Debian packages the build, the worker and the tests need. Safe to re-run: apt is only
# called when something is missing.
set -euo pipefail

PACKAGES=(
  # Janus and the plugin's build
  janus janus-dev build-essential autoconf automake libtool pkg-config patch
  libglib2.0-dev libjansson-dev libuv1-dev libmicrohttpd-dev libssl-dev libcmocka-dev libjwt-dev
  # several hosts: Redis's C client (its libuv adapter runs on the plugin's loop), and Redis for the tests
  libhiredis-dev redis-server
  # mediasoup worker build (see docs: mediasoup-worker-build)
  meson ninja-build python3 libsrtp2-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev catch2
  # tests
  curl iproute2 procps util-linux chromium gcovr
  # plain RTP/SRTP: GStreamer encoders and receivers (srtpenc/srtpdec are in -bad), libsrtp from Python
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad python3-pylibsrtp
  # standard WebRTC clients in the tests: aiortc, and GStreamer webrtcbin (ICE from libnice)
  python3-aiortc gstreamer1.0-nice python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-plugins-bad-1.0
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# Node 20 and npm come with the image; Debian's npm package conflicts with it, so never apt-install npm.
command -v npm >/dev/null || { echo "install-deps: npm is required (Node 20 + npm)"; exit 1; }
