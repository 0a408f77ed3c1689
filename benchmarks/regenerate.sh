#!/usr/bin/env bash
# Regenerates docs/evaluation.md and docs/performance.md from a fresh corpus.
#
#   bash benchmarks/regenerate.sh [extra run.py options, e.g. --fraction 0.25]
#
# The corpus is (re)built by shared/corpus/fetch.sh (cheap when already there).
# The real applications (applications.tsv) and the bug-side commits of history.yaml
# are exported from ABR_MIRROR (fetched bare repositories, default /work/.mirror) or
# cloned from GitHub into ABR_APPS_WORKDIR (default ~/.cache/abr-apps).
# PYTHON must have this project installed (it runs flake8 with the plugin for the
# evaluation, and the engine in-process for the benchmark); default: python3. Use the
# newest Python the applications are written for (3.13): a file an older one cannot
# parse is not checked (the evaluation lists them).
# Takes a while on the full corpus: both runs are niced.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${ABR_SHARED:-$repo/../shared}
corpus=${ABR_CORPUS:-$HOME/.cache/abr-corpus}
py=${PYTHON:-python3}
cd "$repo"
bash "$shared/corpus/fetch.sh" "$corpus"
status=0
mirror=${ABR_MIRROR:-/work/.mirror}
workdir=${ABR_APPS_WORKDIR:-$HOME/.cache/abr-apps}
nice -n 10 "$py" benchmarks/evaluate.py --corpus "$corpus" --applications --recall \
  --mirror "$mirror" --workdir "$workdir" --write docs/evaluation.md --check || status=$?
nice -n 10 "$py" benchmarks/run.py --corpus "$corpus" --repeat 3 --write docs/performance.md "$@"
if [[ $status -ne 0 ]]; then
  echo "evaluation check failed: see docs/evaluation.md (untriaged findings or a rule under 95% precision)" >&2
fi
exit $status
