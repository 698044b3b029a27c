#!/usr/bin/env bash
# Builds and installs pgvector for the local PostgreSQL server from Debian's trixie *source* package.
# bookworm has no pgvector package and trixie's binary needs a newer libc; the source builds in seconds.
# The machine's own apt configuration is never changed: the trixie deb-src line lives in a private
# apt configuration under a temporary directory. Idempotent: does nothing when the extension is installed.
#
#   scripts/ci/install-pgvector.sh            install unless vector.control exists
#   PGVECTOR_FORCE=1 scripts/ci/install-pgvector.sh   build even if installed
#   DESTDIR=/tmp/x PGVECTOR_FORCE=1 …         stage the install under DESTDIR (a dry run of the install)
set -euo pipefail

log() { printf '[%s] install-pgvector: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# The major version of the installed PostgreSQL *server* (libpq-dev's pg_config reports the client library's).
detect_pg_major() {
  local v
  v=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sed -E 's#^/usr/lib/postgresql/([0-9]+)/.*#\1#' | sort -n | tail -1)
  [ -n "$v" ] || v=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
  [ -n "$v" ] || v=$(pg_config --version 2>/dev/null | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
  [ -n "$v" ] || { echo "install-pgvector: no PostgreSQL installation found" >&2; return 1; }
  echo "$v"
}

PG_MAJOR="${PG_MAJOR:-$(detect_pg_major)}"
CONTROL="/usr/share/postgresql/${PG_MAJOR}/extension/vector.control"

if [ -f "$CONTROL" ] && [ "${PGVECTOR_FORCE:-0}" != "1" ]; then
  log "pgvector already installed for PostgreSQL ${PG_MAJOR} ($CONTROL); skipping"
  exit 0
fi

start=$(date +%s)
log "building pgvector for PostgreSQL ${PG_MAJOR}"

export DEBIAN_FRONTEND=noninteractive
log "apt-get update"
apt-get update -qq
log "apt-get install postgresql-server-dev-${PG_MAJOR} make gcc"
apt-get install -y -qq --no-install-recommends "postgresql-server-dev-${PG_MAJOR}" make gcc >/dev/null

# pg_config of the server we build for (the dev package may be for a different major than PATH's pg_config).
PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"
[ -x "$PG_CONFIG" ] || PG_CONFIG="$(command -v pg_config)"

# The Debian mirror this machine already uses: first URIs of a deb822 stanza for the main archive
# (not the security archive), falling back to a one-line sources.list entry.
find_mirror() {
  local f uri=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '
      BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; suites = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/)   { sub(/^URIs:[ \t]*/, "", $i); uris = $i }
          if ($i ~ /^Suites:/) { sub(/^Suites:[ \t]*/, "", $i); suites = $i }
        }
        if (uris != "" && suites !~ /security/ && uris !~ /security/) { split(uris, u, /[ \t]+/); print u[1]; exit }
      }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return 0; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk '$1 ~ /^deb(-src)?$/ && $0 !~ /security/ {
      for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) { print $i; exit }
    }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return 0; }
  done
  return 1
}

MIRROR="$(find_mirror)" || { echo "install-pgvector: no Debian mirror found in /etc/apt" >&2; exit 1; }
log "using mirror ${MIRROR}"

WORK="$(mktemp -d /tmp/pgvector-build.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/apt/sources.list.d" "$WORK/apt/lists/partial" "$WORK/apt/cache/archives/partial" "$WORK/src"
echo "deb-src ${MIRROR} trixie main" > "$WORK/apt/sources.list"

APT_OPTS=(
  -o "Dir::Etc::sourcelist=$WORK/apt/sources.list"
  -o "Dir::Etc::sourceparts=$WORK/apt/sources.list.d"
  -o "Dir::State::Lists=$WORK/apt/lists"
  -o "Dir::Cache=$WORK/apt/cache"
  -o "APT::Sandbox::User=root"
)

log "apt-get update (private trixie deb-src list)"
apt-get "${APT_OPTS[@]}" update -qq
log "apt-get source --download-only pgvector"
(cd "$WORK/src" && apt-get "${APT_OPTS[@]}" source --download-only pgvector >/dev/null)

ORIG="$(ls "$WORK"/src/pgvector_*.orig.tar.* 2>/dev/null | head -1)"
[ -n "$ORIG" ] || { echo "install-pgvector: no pgvector orig tarball downloaded" >&2; ls -la "$WORK/src" >&2; exit 1; }
log "unpacking $(basename "$ORIG")"
mkdir -p "$WORK/build"
tar -xf "$ORIG" -C "$WORK/build" --strip-components=1

log "make OPTFLAGS=\"\" && make install"
# OPTFLAGS="" drops -march=native so the build runs on any x86-64 of this kind.
make -C "$WORK/build" -s OPTFLAGS="" PG_CONFIG="$PG_CONFIG" -j"$(nproc)" >/dev/null
if [ -f "$CONTROL" ] && [ -z "${DESTDIR:-}" ] && [ "${PGVECTOR_FORCE:-0}" != "1" ]; then
  # Someone else (another build on this machine) installed it while we were building.
  log "pgvector appeared meanwhile at $CONTROL; not reinstalling"
else
  make -C "$WORK/build" -s OPTFLAGS="" PG_CONFIG="$PG_CONFIG" ${DESTDIR:+DESTDIR="$DESTDIR"} install >/dev/null
fi

[ -f "${DESTDIR:-}$CONTROL" ] || { echo "install-pgvector: $CONTROL missing after install" >&2; exit 1; }
log "pgvector $(sed -nE "s/^default_version = '([^']+)'.*/\1/p" "${DESTDIR:-}$CONTROL") installed in $(( $(date +%s) - start ))s"
