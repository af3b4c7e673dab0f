# tools/lib.sh: the step runner shared by main-job.sh and test.sh (sourced, not run).
#
#   step NAME COMMAND...        runs COMMAND, prints its outcome and time, records it
#   step_after NAME COMMAND...  the same, but only if the previous step passed (a step that
#                               cannot run counts as failed)
#   require NAME COMMAND...     a step everything after it needs: if it fails, finish now
#   finish [COMMAND...]         prints the outcome of every step, then runs COMMAND (a last
#                               line to print); exit status 1 if any step failed
#
# A COMMAND exiting 77 is recorded as skipped (the automake/CTest convention). Steps never stop
# the script, so one run reports every failure.

AIOSIM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AIOSIM_JOBS=${AIOSIM_JOBS:-2}
cd "$AIOSIM_ROOT"

_step_results=()
_step_failed=0
_step_last_ok=1

step() {
  local name=$1 start=$SECONDS rc=0
  shift
  printf '\n==> %s\n' "$name"
  "$@" || rc=$?
  local took=$((SECONDS - start))
  if [ "$rc" -eq 0 ]; then
    _step_results+=("ok       ${name} (${took}s)")
    _step_last_ok=1
  elif [ "$rc" -eq 77 ]; then
    _step_results+=("SKIPPED  ${name}")
    _step_last_ok=1
  else
    _step_results+=("FAILED   ${name} (exit ${rc}, ${took}s)")
    _step_failed=1
    _step_last_ok=0
  fi
  printf '<== %s\n' "${_step_results[-1]}"
}

step_after() {
  if [ "$_step_last_ok" -eq 1 ]; then
    step "$@"
  else
    _step_results+=("FAILED   $1 (not run: the step before it failed)")
    _step_failed=1
  fi
}

require() {
  step "$@"
  if [ "$_step_last_ok" -ne 1 ]; then
    finish
  fi
}

# build_preset PRESET: configures and builds with the CMake presets of that name
# (CMakePresets.json: the build directory build/PRESET, its compiler, type and options; the
# build preset says which targets), AIOSIM_JOBS at a time.
build_preset() {
  cmake --preset "$1" && cmake --build --preset "$1" -j "$AIOSIM_JOBS"
}

finish() {
  printf '\n==> summary (%ss in all)\n' "$SECONDS"
  printf '    %s\n' "${_step_results[@]}"
  if [ $# -gt 0 ]; then "$@" || true; fi
  exit "$_step_failed"
}
