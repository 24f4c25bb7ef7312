#!/bin/sh
# install-deps.sh -- the one list of Debian packages signalroom needs.
#
#   install-deps.sh build     compiler, CMake, the -dev libraries
#   install-deps.sh test      build + a PostgreSQL server and client tools,
#                             Node.js/npm and the local S3 server's npm
#                             packages (tests/upstreams/s3, `npm ci`),
#                             promtool (package prometheus) for tests/ops,
#                             openssl (the demo signs a Slack command)
#   install-deps.sh runtime   the shared libraries the binary runs with
#
# Installs only what is missing (dpkg-query first, so a machine that has
# everything spends well under a second here), with apt-get as root or
# through sudo.  Used by `make install-deps` and by the Dockerfile.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)

BUILD="build-essential cmake pkg-config libmicrohttpd-dev libcurl4-openssl-dev libyajl-dev
  libpq-dev libjansson-dev libjwt-dev libssl-dev libxml2-dev zlib1g-dev uthash-dev"
TEST="postgresql postgresql-client curl tzdata procps util-linux python3
  clang libclang-rt-14-dev wrk prometheus openssl"
RUNTIME="libmicrohttpd12 libcurl4 libpq5 libjansson4 libjwt0 libssl3 libyajl2 tzdata
  ca-certificates curl libxml2 zlib1g"

want=""
node_set=""
[ $# -gt 0 ] || set -- test
for set_name in "$@"; do
  case "$set_name" in
    build) want="$want $BUILD" ;;
    test) want="$want $BUILD $TEST"; node_set=yes ;;
    runtime) want="$want $RUNTIME" ;;
    *) echo "install-deps: unknown set '$set_name' (build, test, runtime)" >&2; exit 2 ;;
  esac
done

missing=""
for p in $want; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $p"
  fi
done
# Node.js is often installed outside dpkg (nodesource tarballs, nvm), so
# ask for the commands, not the packages.
if [ -n "$node_set" ]; then
  command -v node >/dev/null 2>&1 || missing="$missing nodejs"
  command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi

# The npm packages of the tests, each directory pinned by its
# package-lock.json: the local S3 server of the tests and the demo
# (tests/upstreams/s3, @20minutes/s3rver) and the contract checker
# (tests/contract: an OpenAPI 3.1 validator and Ajv).  `npm ci` only when
# node_modules is missing or older than the lock file; npm rewrites
# node_modules/.package-lock.json on every install, so that is the stamp.
npm_dir () {
  dir="$ROOT/$1"
  [ -n "$node_set" ] && [ -f "$dir/package-lock.json" ] || return 0
  stamp="$dir/node_modules/.package-lock.json"
  if [ -f "$stamp" ] && [ -z "$(find "$dir/package-lock.json" -newer "$stamp")" ]; then
    return 0
  fi
  echo "install-deps: npm ci in $1"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}
npm_modules () {
  npm_dir tests/upstreams/s3
  npm_dir tests/contract
}

if [ -z "$missing" ]; then
  echo "install-deps: all Debian packages present"
  npm_modules
  exit 0
fi

if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "install-deps: missing packages:$missing" >&2
  echo "install-deps: run as root: apt-get install -y$missing" >&2
  exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
npm_modules
