#!/usr/bin/env bash
# The e2e node image's base, made locally (no registry): a minimal Debian bookworm from the Debian
# mirror this machine's apt uses, with Docker Engine, iptables, iproute2, conntrack and CA
# certificates, imported as one layer. Built once; later calls find the image and return at once.
#   scripts/e2e/base-image.sh [image]      (default kts.e2e/base:bookworm-1)
set -euo pipefail
image=${1:-kts.e2e/base:bookworm-1}
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "base image $image: present"
  exit 0
fi
if ! command -v debootstrap >/dev/null; then
  echo "base image: installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
mirror=http://deb.debian.org/debian
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
fi
root=$(mktemp -d /tmp/kts-e2e-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "base image $image: debootstrap bookworm from $mirror (about a minute)"
started=$(date +%s)
debootstrap --variant=minbase --include=docker.io,iptables,iproute2,conntrack,ca-certificates,procps \
  bookworm "$root" "$mirror" >"$root.log" 2>&1 || { tail -30 "$root.log"; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
# Caches and documentation are not needed in a node.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/*
echo "base image $image: importing"
tar --numeric-owner -C "$root" -c . | docker import \
  -c 'CMD ["/bin/bash"]' -c 'LABEL io.kts.e2e=base' - "$image" >/dev/null
echo "base image $image: built in $(( $(date +%s) - started )) s"
