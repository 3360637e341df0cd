# shellcheck shell=bash
#
# prometheus_client's text parser, in a venv outside the repository, for the test that every
# service's /metrics is valid Prometheus text (Tests/EndToEndTests/MetricsTests.swift).
#
#   eshop_prometheus_text_venv    makes (or refreshes) the venv and exports PROMETHEUS_TEXT_PYTHON
#
# The venv is $ESHOP_CACHE_DIR/venv-prometheus-text, installed from PyPI with
# Tests/PrometheusText/requirements.txt, and made again whenever that file changes.

eshop_prometheus_text_venv() {
    eshop_python_venv prometheus-text Tests/PrometheusText/requirements.txt || return 1
    export PROMETHEUS_TEXT_PYTHON=$ESHOP_VENV_PYTHON
}
