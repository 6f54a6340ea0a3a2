#!/usr/bin/env bash
# Builds local stand-ins for the public base images this project's Dockerfiles start FROM, because this
# machine (and CI) cannot pull from any registry. Each stand-in is a `docker import` of a tiny rootfs made
# of host binaries plus the shared libraries `ldd` says they need, tagged with the official name so a
# Dockerfile `FROM ${BASE_IMAGE}` builds unmodified. Idempotent: a tag that already exists is skipped
# unless --force is given. Prints one line per image saying what it did.
#
# Usage: bash docker/offline/build-base-images.sh [--force] [--list]
# Adding a stand-in = one `build_stand_in TAG populate_fn CHANGES...` call at the bottom.
set -euo pipefail

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --list) echo "node:20-bookworm-slim"; exit 0 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "build-base-images: unknown argument $arg" >&2; exit 2 ;;
  esac
done

command -v docker >/dev/null || { echo "build-base-images: docker CLI not found" >&2; exit 1; }

# copy_with_libs ROOT BINARY [DEST]: copies a host binary and every shared library it links to, keeping
# the libraries' paths so the dynamic loader finds them inside the image.
copy_with_libs() {
  local root=$1 bin=$2 dest=${3:-$2}
  mkdir -p "$root$(dirname "$dest")"
  cp -L "$bin" "$root$dest"
  local lib
  # ldd prints "name => /path (addr)" or "/path (addr)"; vdso has no file.
  for lib in $(ldd "$bin" 2>/dev/null | grep -oE '/[^ ]+' || true); do
    [ -e "$lib" ] || continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

# add_base_files ROOT: the few files most programs expect (users, name resolution, CA certs, /tmp).
add_base_files() {
  local root=$1
  mkdir -p "$root"/{etc,tmp,root,proc,sys,dev,var/tmp,usr/local/bin,bin}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  mkdir -p "$root/home/node" && chown 1000:1000 "$root/home/node"
  if [ -d /etc/ssl/certs ]; then mkdir -p "$root/etc/ssl" && cp -rL /etc/ssl/certs "$root/etc/ssl/"; fi
  # A POSIX shell so `RUN` lines and `sh -c` healthchecks work.
  copy_with_libs "$root" "$(command -v dash)" /bin/sh
  # The coreutils that Dockerfile RUN lines and npm's `#!/usr/bin/env node` shebangs reach for.
  local tool
  for tool in env cat ls mkdir rm cp mv chown chmod ln sleep id; do
    copy_with_libs "$root" "$(command -v "$tool")" "/usr/bin/$tool"
  done
}

# populate_node ROOT: host node (+ npm when present) where the official image has them.
populate_node() {
  local root=$1
  add_base_files "$root"
  copy_with_libs "$root" "$(readlink -f "$(command -v node)")" /usr/local/bin/node
  local npm_dir=/usr/lib/node_modules/npm
  if [ -d "$npm_dir" ]; then
    mkdir -p "$root/usr/local/lib/node_modules"
    cp -r "$npm_dir" "$root/usr/local/lib/node_modules/npm"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  fi
}

# build_stand_in TAG POPULATE_FN [--change ...]: skips an existing tag unless --force.
build_stand_in() {
  local tag=$1 populate=$2; shift 2
  if [ "$FORCE" = 0 ] && docker image inspect "$tag" >/dev/null 2>&1; then
    echo "build-base-images: $tag exists, skipped (use --force to rebuild)"
    return 0
  fi
  local root start old_id
  start=$(date +%s%N)
  old_id=$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  root=$(mktemp -d /tmp/guardrail-rootfs.XXXXXX)
  # shellcheck disable=SC2064 # expand now: the trap must remove this rootfs.
  trap "rm -rf '$root'" RETURN
  "$populate" "$root"
  tar -C "$root" -c . | docker import \
    --change 'LABEL guardrail.stand-in=true' \
    --change "LABEL guardrail.stand-in.for=$tag" \
    "$@" - "$tag" >/dev/null
  # A --force rebuild leaves the previous image untagged; remove it unless something still uses it.
  if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect -f '{{.Id}}' "$tag")" ]; then
    docker image rm "$old_id" >/dev/null 2>&1 || true
  fi
  local size
  size=$(docker image inspect -f '{{.Size}}' "$tag")
  echo "build-base-images: built $tag from host binaries ($((size / 1000000)) MB, $((($(date +%s%N) - start) / 1000000)) ms)"
}

build_stand_in node:20-bookworm-slim populate_node \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_VERSION=stand-in' \
  --change 'CMD ["node"]'
