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
    local base=python3
    [[ -x /usr/bin/python3 ]] && base=/usr/bin/python3
    eshop_python_venv embeddings scripts/embeddings-reference/requirements.txt "$base" --system-site-packages || return 1
    if ! "$ESHOP_VENV_PYTHON" -c 'import numpy' >/dev/null 2>&1; then
        "${ESHOP_VENV_PYTHON%/python}/pip" install --quiet --disable-pip-version-check numpy || {
            eshop_error "could not install numpy from PyPI"
            return 1
        }
    fi
    EMBEDDINGS_REFERENCE_PYTHON=$ESHOP_VENV_PYTHON
    export EMBEDDINGS_REFERENCE_PYTHON
}
