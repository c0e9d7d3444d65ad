# Sourced by scripts/*.sh: creates the project venv and (re)installs ztrade into it when the
# sources changed since the last install. Usage: ztrade_venv <venv-dir> [extras]
ztrade_sources_stamp() {
  (cd "$ZTRADE_ROOT" && find engine bindings python CMakeLists.txt cmake pyproject.toml VERSION \
      -type f -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -d' ' -f1)
}

ztrade_venv() {
  local venv="$1" extras="${2:-}"
  if [ ! -x "$venv/bin/python" ]; then
    echo "==> creating Python venv in $venv"
    python3 -m venv "$venv"
  fi
  local stamp want="$(ztrade_sources_stamp)${extras}"
  stamp="$(cat "$venv/.ztrade-stamp" 2>/dev/null || true)"
  if [ "$stamp" = "$want" ]; then
    echo "==> ztrade already installed in $venv (sources unchanged)"
    return 0
  fi
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
  if [ -n "$extras" ]; then
    # Tests install what users get: a wheel built by `pip wheel .`, into this venv.
    local wheels="$ZTRADE_ROOT/build/wheel"
    echo "==> pip wheel . (builds the C++ module; about a minute)"
    rm -rf "$wheels"
    "$venv/bin/python" -m pip wheel -q --no-deps -w "$wheels" "$ZTRADE_ROOT"
    local wheel
    wheel="$(ls "$wheels"/ztrade-*.whl)"
    echo "==> pip install $(basename "$wheel")[$extras] into $venv"
    "$venv/bin/python" -m pip uninstall -q -y ztrade >/dev/null 2>&1 || true
    if ! "$venv/bin/python" -m pip install -q "${wheel}[$extras]"; then
      # The ta-lib wheel is only a reference for tests; without it those tests are skipped.
      echo "warning: installing the [$extras] extras failed; retrying without ta-lib" >&2
      "$venv/bin/python" -m pip install -q "$wheel" pytest hypothesis pandas "websockets>=13" "trustme>=1.0"
    fi
  else
    echo "==> pip install ztrade into $venv (builds the C++ module; about a minute)"
    "$venv/bin/python" -m pip install -q "$ZTRADE_ROOT"
  fi
  echo "$want" > "$venv/.ztrade-stamp"
}
