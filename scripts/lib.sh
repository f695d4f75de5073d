# Shared by the scripts (app, test, package): quiet runs that show their output only on failure.
quiet() {
  local out
  if ! out=$("$@" 2>&1); then
    printf '%s\n' "$out" >&2
    echo "failed: $*" >&2
    return 1
  fi
}
export PATH="$HOME/.cargo/bin:$PATH"
