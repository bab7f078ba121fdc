#!/usr/bin/env bash
# Builds interop/mlpeer (a real hashicorp/memberlist node) offline from Debian's packages, in
# GOPATH mode: nothing is fetched. Prints the binary's path. Rebuilt only when main.go changed.
#   needs: apt-get install golang-go golang-github-hashicorp-memberlist-dev
set -euo pipefail
cd "$(dirname "$0")/.."
src=interop/mlpeer/main.go
cache="${SWARMNET_GO_CACHE:-node_modules/.cache/swarmnet-go}"
bin="$cache/mlpeer"
if ! command -v go >/dev/null 2>&1; then
  echo "build-mlpeer: 'go' not found; install Debian's golang-go and golang-github-hashicorp-memberlist-dev" >&2
  exit 3
fi
if [ ! -d /usr/share/gocode/src/github.com/hashicorp/memberlist ]; then
  echo "build-mlpeer: memberlist sources not found; install Debian's golang-github-hashicorp-memberlist-dev" >&2
  exit 3
fi
mkdir -p "$cache/build"
if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
  (cd interop/mlpeer && GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOFLAGS= GOCACHE="$(cd "../../$cache" && pwd)/build" go build -o "../../$bin.tmp" .)
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
