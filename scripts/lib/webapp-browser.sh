# shellcheck shell=bash
#
# Playwright for Python, in a venv outside the repository, for scripts/test-webapp.
#
#   eshop_webapp_browser_venv    makes (or refreshes) the venv and sets WEBAPP_BROWSER_PYTHON
#
# The venv is $ESHOP_CACHE_DIR/venv-webapp-browser (default ~/.cache/eshop-on-swift/…), installed
# from PyPI with Tests/WebAppBrowser/requirements.txt, and made again whenever that file changes.
# Playwright's own browser download is never used: the tests launch Debian's chromium
# (CHROMIUM_BIN) through `executable_path`.

eshop_webapp_browser_venv() {
    eshop_python_venv webapp-browser Tests/WebAppBrowser/requirements.txt || return 1
    WEBAPP_BROWSER_PYTHON=$ESHOP_VENV_PYTHON
}
