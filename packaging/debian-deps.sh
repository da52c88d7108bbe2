#!/bin/sh
# Installs the Debian packages sockscope needs to build and test, when they
# are missing. As root: apt-get install -y. Otherwise: says what to install.
#   sh packaging/debian-deps.sh [extra-package...]
set -u
need="gcc make pkg-config libmnl-dev libzstd-dev libsqlite3-dev libcsv-dev libcmocka-dev zlib1g-dev libcurl4-openssl-dev zstd iproute2 net-tools procps python3 iptables nftables ipset $*"
missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "Installing missing packages:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q $missing >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $missing; } || {
		echo "error: apt-get install$missing failed" >&2
		exit 1
	}
	exit 0
fi
echo "Missing packages:$missing" >&2
echo "Install them with:  sudo apt-get install$missing" >&2
exit 1
