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
    eshop_python_venv dapr Tests/DaprSDKCompat/requirements.txt || return 1
    DAPR_SDK_PYTHON=$ESHOP_VENV_PYTHON
}
