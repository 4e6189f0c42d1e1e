# Shared set-up for ci/test, ci/demo and ci/bench: installs everything lifeboat
# needs to build and to be tested on a fresh Debian machine. Source it.
set -euo pipefail

LIFEBOAT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LIFEBOAT_ROOT

# Debian packages: the C libraries lifeboat links, PostgreSQL for the tests and
# the demo, pkg-config for the system-library targets.
LIFEBOAT_APT_PACKAGES=(pkg-config libpq-dev libarchive-dev libzstd-dev libssl-dev postgresql postgresql-contrib)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "ci: need root (or sudo) to run: $*" >&2; return 1; fi
}

install_system_packages() {
    echo "ci: installing Debian packages: ${LIFEBOAT_APT_PACKAGES[*]} $*"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
        "${LIFEBOAT_APT_PACKAGES[@]}" "$@" >/dev/null
}

# The Swift toolchain lives in /opt/swift on these machines; make sure it is on PATH.
ensure_swift() {
    if ! command -v swift >/dev/null && [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    fi
    command -v swift >/dev/null || { echo "ci: no swift toolchain found" >&2; return 1; }
}

# PostgreSQL's programs (initdb, pg_ctl, pg_dump…) for scripts: from pg_config.
ensure_postgres_bin() {
    PG_BIN="$(pg_config --bindir)"
    export PG_BIN
}
