#!/usr/bin/env bash
# The old-server test refuses a real ClickHouse 18.16: Debian's clickhouse-server package (engine-notes #8).
set -euo pipefail
if [ -x /usr/sbin/clickhouse-server ]; then exit 0; fi
if [ "$(id -u)" = 0 ]; then
	echo "Installing Debian's clickhouse-server for the old-server test…"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server >/dev/null
else
	echo "The old-server test needs Debian's clickhouse-server: run 'sudo apt-get install -y clickhouse-server'" >&2
	exit 1
fi
