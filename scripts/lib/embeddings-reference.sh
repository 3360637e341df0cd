# shellcheck shell=bash
#
# The numpy reference for Shared/Embeddings (scripts/embeddings-reference/reference.py), in a venv
# outside the repository, for scripts/generate-embedding-vectors and `scripts/benchmark embeddings`.
#
#   eshop_embeddings_reference_venv   makes (or refreshes) the venv; sets EMBEDDINGS_REFERENCE_PYTHON
#
# The venv is $ESHOP_CACHE_DIR/venv-embeddings (default ~/.cache/eshop-on-swift/venv-embeddings).
# On Debian it is made from the system python (/usr/bin/python3) with its site packages, so numpy
# is Debian's python3-numpy, which calls the system BLAS (libblas.so.3, OpenBLAS from
# libopenblas-dev): the same BLAS as the Swift encoder. Where the base python has no numpy
# (macOS), numpy comes from PyPI. `tokenizers` comes from PyPI
# (scripts/embeddings-reference/requirements.txt); the venv is made again when that file changes.

eshop_embeddings_reference_venv() {
    local cache=${ESHOP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eshop-on-swift}
    local venv=$cache/venv-embeddings requirements=scripts/embeddings-reference/requirements.txt
    local base=python3
    [[ -x /usr/bin/python3 ]] && base=/usr/bin/python3
    if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
        eshop_say "installing the embeddings reference (tokenizers from PyPI) into $venv"
        rm -rf "$venv"
        mkdir -p "$cache" || return 1
        "$base" -m venv --system-site-packages "$venv" || {
            eshop_error "$base -m venv failed (on Debian: apt-get install python3-venv)"
            return 1
        }
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" || {
            eshop_error "could not install $requirements from PyPI"
            return 1
        }
        if ! "$venv/bin/python" -c 'import numpy' >/dev/null 2>&1; then
            "$venv/bin/pip" install --quiet --disable-pip-version-check numpy || {
                eshop_error "could not install numpy from PyPI"
                return 1
            }
        fi
        cp "$requirements" "$venv/requirements.txt"
    fi
    EMBEDDINGS_REFERENCE_PYTHON=$venv/bin/python
    export EMBEDDINGS_REFERENCE_PYTHON
}
