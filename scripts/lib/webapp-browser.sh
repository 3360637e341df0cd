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
    local cache=${ESHOP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eshop-on-swift}
    local venv=$cache/venv-webapp-browser requirements=Tests/WebAppBrowser/requirements.txt
    if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
        eshop_say "installing Playwright for Python from PyPI into $venv"
        rm -rf "$venv"
        mkdir -p "$cache" || return 1
        python3 -m venv "$venv" || { eshop_error "python3 -m venv failed (on Debian: apt-get install python3-venv)"; return 1; }
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" || {
            eshop_error "could not install $requirements from PyPI"
            return 1
        }
        cp "$requirements" "$venv/requirements.txt"
    fi
    WEBAPP_BROWSER_PYTHON=$venv/bin/python
}
