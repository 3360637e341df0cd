# shellcheck shell=bash
#
# The official Dapr Python SDK, in a venv outside the repository, for scripts/test-dapr-sdk and
# scripts/benchmark-dapr-sdk.
#
#   eshop_dapr_sdk_venv    makes (or refreshes) the venv and sets DAPR_SDK_PYTHON to its python
#
# The venv is $ESHOP_CACHE_DIR/venv-dapr (default ~/.cache/eshop-on-swift/venv-dapr), installed
# from PyPI with Tests/DaprSDKCompat/requirements.txt (the pinned SDK), and made again whenever
# that file changes.

eshop_dapr_sdk_venv() {
    local cache=${ESHOP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eshop-on-swift}
    local venv=$cache/venv-dapr requirements=Tests/DaprSDKCompat/requirements.txt
    if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
        eshop_say "installing the Dapr Python SDK from PyPI into $venv"
        rm -rf "$venv"
        mkdir -p "$cache" || return 1
        python3 -m venv "$venv" || { eshop_error "python3 -m venv failed (on Debian: apt-get install python3-venv)"; return 1; }
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" || {
            eshop_error "could not install $requirements from PyPI"
            return 1
        }
        cp "$requirements" "$venv/requirements.txt"
    fi
    DAPR_SDK_PYTHON=$venv/bin/python
}
