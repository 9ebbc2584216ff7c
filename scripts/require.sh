#!/usr/bin/env bash
# scripts/require.sh COMMAND PACKAGE...: make sure COMMAND exists, installing the Debian PACKAGEs when it
# is missing and this machine can (root with apt-get); otherwise fail with a message naming them.
set -euo pipefail
command=$1
shift
command -v "$command" >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "make: '$command' is missing; installing Debian's $* ..."
    apt-get update -qq
    # Servers (nginx, redis) are started by the tests that need them, never as system services.
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    rm -f /usr/sbin/policy-rc.d
    command -v "$command" >/dev/null 2>&1 && exit 0
fi
echo "make: the tests need '$command'. Install it (Debian: apt-get install $*) and run make again." >&2
exit 1
