# shellcheck shell=bash
#
# A real Docker engine with no container registry, for scripts/compose-test: Debian's dockerd
# (docker.io) and docker-compose v1, a private daemon (own data root, exec root and socket,
# stopped by its PID), and a `debian:bookworm-slim` base made by debootstrap from the apt mirror
# this machine uses (/work/shared/reference/docker-engine-here.md is the verified recipe).
# Sourced after scripts/lib/prerequisites.sh (eshop_say, eshop_error).
#
#   eshop_install_container_engine       apt-get: docker.io, docker-compose, debootstrap, curl
#   eshop_start_private_dockerd DIR      starts dockerd over DIR/{exec,docker.sock}; exports
#                                        DOCKER_HOST, ESHOP_DOCKERD_PID; data in ESHOP_DOCKER_DATA
#   eshop_stop_private_dockerd           SIGTERM to that PID, waits for it (and its containerd),
#                                        unmounts what it left mounted under DIR
#   eshop_base_image                     imports debian:bookworm-slim if the daemon lacks it
#   eshop_compose ARGS…                  `docker compose` (v2) when present, else docker-compose
#
# ESHOP_COMPOSE_CACHE (default ~/.cache/eshop-on-swift/compose) keeps the base tarball and the
# daemon's data root between runs, so a second run on the same machine builds only what changed.

ESHOP_COMPOSE_CACHE=${ESHOP_COMPOSE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eshop-on-swift/compose}
ESHOP_DOCKER_DATA=${ESHOP_DOCKER_DATA:-$ESHOP_COMPOSE_CACHE/docker-data}

# Debian's docker CLI matches its daemon (20.10); another docker on PATH may be newer or a stub.
eshop_docker() {
    if [[ -x /usr/bin/docker ]]; then /usr/bin/docker "$@"; else command docker "$@"; fi
}

eshop_compose() {
    if eshop_docker compose version >/dev/null 2>&1; then eshop_docker compose "$@"; else docker-compose "$@"; fi
}

eshop_install_container_engine() {
    local missing=()
    command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
    command -v docker-compose >/dev/null 2>&1 || eshop_docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    [[ ${#missing[@]} -eq 0 ]] && return 0
    if ! command -v apt-get >/dev/null 2>&1 || [[ $EUID -ne 0 ]]; then
        eshop_error "missing: ${missing[*]}; scripts/compose-test installs them with apt-get as root" \
            "(Debian/Ubuntu). Elsewhere, run the compose file with your own Docker (docs/deploy.md)"
        return 1
    fi
    eshop_say "installing with apt-get: ${missing[*]}"
    _eshop_run_installer env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
    _eshop_run_installer env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends "${missing[@]}" || return 1
}

# $1: a folder for the daemon's sockets and state (short: a unix socket path has 108 bytes).
eshop_start_private_dockerd() {
    local run=$1 _
    mkdir -p "$run" "$ESHOP_DOCKER_DATA"
    ESHOP_DOCKERD_RUN=$run
    export DOCKER_HOST=unix://$run/docker.sock
    # --bridge=none: no docker0 to clash with another daemon; compose makes its own networks,
    # and builds run with --network host.
    dockerd --data-root "$ESHOP_DOCKER_DATA" --exec-root "$run/exec" --pidfile "$run/dockerd.pid" \
        -H "$DOCKER_HOST" --bridge=none >"$run/dockerd.log" 2>&1 &
    ESHOP_DOCKERD_PID=$!
    export ESHOP_DOCKERD_PID
    for _ in $(seq 1 120); do
        eshop_docker info >/dev/null 2>&1 && return 0
        kill -0 "$ESHOP_DOCKERD_PID" 2>/dev/null || break
        sleep 0.5
    done
    eshop_error "dockerd did not start; the end of $run/dockerd.log:"
    tail -n 20 "$run/dockerd.log" >&2
    return 1
}

eshop_stop_private_dockerd() {
    [[ -n ${ESHOP_DOCKERD_PID:-} ]] || return 0
    if kill "$ESHOP_DOCKERD_PID" 2>/dev/null; then
        wait "$ESHOP_DOCKERD_PID" 2>/dev/null || true
    fi
    ESHOP_DOCKERD_PID=""
    # dockerd leaves its own network namespace mounted under the exec root.
    local mount
    while read -r mount; do
        umount "$mount" || eshop_error "could not unmount $mount"
    done < <(awk -v run="$ESHOP_DOCKERD_RUN/" 'index($2, run) == 1 {print $2}' /proc/mounts)
}

# The apt mirror this machine uses, as debootstrap wants it.
_eshop_debian_mirror() {
    local mirror=""
    [[ -f /etc/apt/sources.list.d/debian.sources ]] &&
        mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    [[ -n $mirror ]] || mirror=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
    echo "${mirror:-http://deb.debian.org/debian}"
}

eshop_base_image() {
    eshop_docker image inspect debian:bookworm-slim >/dev/null 2>&1 && return 0
    local tarball=$ESHOP_COMPOSE_CACHE/bookworm-minbase.tar rootfs
    if [[ ! -s $tarball ]]; then
        rootfs=$(mktemp -d "$ESHOP_COMPOSE_CACHE/rootfs.XXXXXX")
        eshop_say "making debian:bookworm-slim with debootstrap (once per machine, ~1 min)"
        if ! debootstrap --variant=minbase bookworm "$rootfs" "$(_eshop_debian_mirror)" >"$rootfs.log" 2>&1; then
            eshop_error "debootstrap failed; the end of $rootfs.log:"
            tail -n 20 "$rootfs.log" >&2
            rm -rf "$rootfs"
            return 1
        fi
        # The host's apt sources (security updates included), then trimmed like the slim image.
        if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
            cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
            rm -f "$rootfs/etc/apt/sources.list"
        fi
        rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
            "$rootfs"/usr/share/{doc,man,locale,info}/*
        tar -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
        rm -rf "$rootfs" "$rootfs.log"
    fi
    eshop_docker import --change 'CMD ["/bin/bash"]' "$tarball" debian:bookworm-slim >/dev/null
}
