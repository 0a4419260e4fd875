#!/usr/bin/env bash
# Installs what is missing and builds everything inside the checkout: the mediasoup worker, the plugin,
# the test programs' prerequisites and the web bundles. Safe to re-run; a second run reuses the first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/install-deps.sh
bash scripts/build-worker.sh
if [ -f web/package.json ]; then bash scripts/build-web.sh; fi

[ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] || autoreconf -fi
[ -f Makefile ] && [ Makefile -nt Makefile.in ] || ./configure -q ${CONFIGURE_FLAGS:-}
make -j"$(nproc)"
