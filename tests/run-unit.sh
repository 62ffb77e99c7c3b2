#!/bin/sh
# Run the unit test runner and the fuzz crash-corpus replay.
set -eu
B=${1:-build}
"$B/tests/unit/runner"
