# shellcheck shell=bash
#
# Python tools from PyPI, each in a venv of its own outside the repository.
#
#   eshop_python_venv NAME REQUIREMENTS [BASE_PYTHON] [--system-site-packages]
#       makes $ESHOP_CACHE_DIR/venv-NAME (default ~/.cache/eshop-on-swift/venv-NAME) with
#       BASE_PYTHON (default python3), installs REQUIREMENTS into it from PyPI, and makes it again
#       whenever that file changes; sets ESHOP_VENV_PYTHON to the venv's python.

eshop_python_venv() {
    local name=$1 requirements=$2 base=${3:-python3} site_packages=${4:-}
    local cache=${ESHOP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eshop-on-swift}
    local venv=$cache/venv-$name
    if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
        eshop_say "installing $requirements from PyPI into $venv"
        rm -rf "$venv"
        mkdir -p "$cache" || return 1
        "$base" -m venv ${site_packages:+"$site_packages"} "$venv" || {
            eshop_error "$base -m venv failed (on Debian: apt-get install python3-venv)"
            return 1
        }
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" || {
            eshop_error "could not install $requirements from PyPI"
            return 1
        }
        cp "$requirements" "$venv/requirements.txt"
    fi
    ESHOP_VENV_PYTHON=$venv/bin/python
}
