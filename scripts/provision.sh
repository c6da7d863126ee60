#!/usr/bin/env bash
# Provision the real components the sandbox and the e2e tests run: etcd (Debian package),
# kube-apiserver and MinIO built from the Go module proxy, and the charts the inject tests render
# (from their projects' Go modules). Built binaries are cached outside
# the repository, keyed by version, so only the first run on a machine pays for the builds.
# Idempotent: a warm machine finishes in about a second. Prints the cache paths on success.
set -euo pipefail

K8S_VERSION="${MINIO_IRSA_K8S_VERSION:-1.34.4}"
# The 2025-10-15 release commit is refused by the module proxy; this is the last commit.
MINIO_VERSION="${MINIO_IRSA_MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
# mc, MinIO's own client: the tests' independent admin client (policies, idp config).
MC_VERSION="${MINIO_IRSA_MC_VERSION:-v0.0.0-20250313080218-cf909e1063a9}"
# litestream, both release lines users run (0.3: aws-sdk-go v1; 0.5: aws-sdk-go-v2): real
# clients of the generated policies. cgo (SQLite), about a minute each.
LITESTREAM_03="${MINIO_IRSA_LITESTREAM_03:-v0.3.14}"
LITESTREAM_05="${MINIO_IRSA_LITESTREAM_05:-v0.5.16}"
HELM_VERSION="${MINIO_IRSA_HELM_VERSION:-v3.22.0}"
CACHE="${MINIO_IRSA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minio-irsa}"

say() { printf 'provision: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

need_go() {
  command -v go >/dev/null 2>&1 || die "Go is not installed (needed to build kube-apiserver and MinIO): install Go >= 1.24 from your distribution or go.dev"
}

# Install a Debian package unless its command is already on PATH.
apt_install() {
  local command="$1" package="$2" why="$3"
  if command -v "$command" >/dev/null 2>&1; then return; fi
  command -v apt-get >/dev/null 2>&1 || die "$command is missing and apt-get is not available: install $package ($why)"
  say "installing $package ($why)"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$package" >/dev/null \
    || die "apt-get install $package failed"
  command -v "$command" >/dev/null 2>&1 || die "$package installed but $command is not on PATH"
}

ensure_etcd() {
  if command -v etcd >/dev/null 2>&1; then return; fi
  apt_install etcd etcd-server "the rig's etcd"
  # The package starts a system etcd on 2379; the rig runs its own on free ports.
  systemctl disable --now etcd >/dev/null 2>&1 || true
}

# `go install MODULE@VERSION` into a versioned cache directory, atomically.
go_install_cached() {
  local dir="$1" binary="$2" module="$3" ldflags="$4" eta="$5"
  if [ -x "$dir/$binary" ]; then return; fi
  need_go
  say "building $module (first time only; $eta on 2 cores)"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  CGO_ENABLED=0 GOBIN="$dir.tmp" go install -ldflags "$ldflags" "$module" || die "go install $module failed"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

# kube-apiserver cannot be `go install`ed (k8s.io/kubernetes replaces its staging modules
# with ./staging); a throwaway wrapper module pins each staging module instead.
STAGING="api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider
cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api
cri-client csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms
kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics
mount-utils pod-security-admission sample-apiserver sample-cli-plugin sample-controller"

build_kube() {
  local dir="$CACHE/kube-apiserver-v$K8S_VERSION"
  local minor="${K8S_VERSION#*.}"; minor="${minor%%.*}"
  local staging_version="v0.$minor.${K8S_VERSION##*.}"
  # Two apiservers from one compile: the plain version, and one that reports +k3s1 so tests
  # can play a k3s cluster (-X only changes the link step). kubectl applies manifests as users do.
  if [ -x "$dir/kube-apiserver" ] && [ -x "$dir/kube-apiserver-k3s" ] && [ -x "$dir/kubectl" ]; then return; fi
  need_go
  say "building kube-apiserver and kubectl v$K8S_VERSION (first time only; 20-40 minutes on 2 cores)"
  local work; work="$(mktemp -d)"
  trap 'rm -rf "$work"' RETURN
  {
    echo "module minio-irsa.local/kube-apiserver-build"
    echo
    echo "go 1.24"
    echo
    echo "require k8s.io/kubernetes v$K8S_VERSION"
    echo
    echo "replace ("
    for m in $STAGING; do echo "	k8s.io/$m => k8s.io/$m $staging_version"; done
    echo ")"
  } >"$work/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport (\n\t_ "k8s.io/kubernetes/cmd/kube-apiserver"\n\t_ "k8s.io/kubernetes/cmd/kubectl"\n)\n' >"$work/tools.go"
  (cd "$work" && go mod tidy >/dev/null 2>"$work/tidy.log") || { cat "$work/tidy.log" >&2; die "go mod tidy for kube-apiserver failed"; }
  mkdir -p "$dir.tmp"
  local pkg="k8s.io/component-base/version"
  local common="-s -w -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=2026-01-01T00:00:00Z"
  (cd "$work" && CGO_ENABLED=0 go build -o "$dir.tmp/kube-apiserver" \
      -ldflags "$common -X $pkg.gitVersion=v$K8S_VERSION" k8s.io/kubernetes/cmd/kube-apiserver) \
    || die "go build kube-apiserver failed"
  (cd "$work" && CGO_ENABLED=0 go build -o "$dir.tmp/kube-apiserver-k3s" \
      -ldflags "$common -X $pkg.gitVersion=v$K8S_VERSION+k3s1" k8s.io/kubernetes/cmd/kube-apiserver) \
    || die "go build kube-apiserver (+k3s1) failed"
  (cd "$work" && CGO_ENABLED=0 go build -o "$dir.tmp/kubectl" \
      -ldflags "$common -X $pkg.gitVersion=v$K8S_VERSION" k8s.io/kubernetes/cmd/kubectl) \
    || die "go build kubectl failed"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

build_minio() {
  # go install leaves the version as DEVELOPMENT.GOGET; stamp the commit's date as MinIO's
  # release builds do, so server info reports a real version.
  local stamp="${MINIO_VERSION#v0.0.0-}"; stamp="${stamp%%-*}"
  local when="${stamp:0:4}-${stamp:4:2}-${stamp:6:2}T${stamp:8:2}:${stamp:10:2}:${stamp:12:2}Z"
  local tag="RELEASE.${when//:/-}" pkg="github.com/minio/minio/cmd" commit="${MINIO_VERSION##*-}"
  go_install_cached "$CACHE/minio-$MINIO_VERSION" minio "github.com/minio/minio@$MINIO_VERSION" \
    "-s -w -X $pkg.Version=$when -X $pkg.ReleaseTag=$tag -X $pkg.CommitID=$commit -X $pkg.ShortCommitID=$commit" "about 10 minutes"
}

build_mc() {
  go_install_cached "$CACHE/mc-$MC_VERSION" mc "github.com/minio/mc@$MC_VERSION" "-s -w" "about 5 minutes"
}

build_helm() {
  # The real Helm, to drive inject as a post-renderer exactly as `helm install` does.
  go_install_cached "$CACHE/helm-$HELM_VERSION" helm "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" \
    "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" "about 2 minutes"
}

build_litestream() {
  local version="$1" dir="$CACHE/litestream-$1"
  if [ -x "$dir/litestream" ]; then return; fi
  need_go
  apt_install gcc gcc "litestream links SQLite with cgo"
  say "building litestream $version (first time only; about a minute)"
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
  CGO_ENABLED=1 GOBIN="$dir.tmp" go install "github.com/benbjohnson/litestream/cmd/litestream@$version" || die "go install litestream $version failed"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

# Popular charts as their projects ship them in their Go modules (the module proxy is reachable
# where chart repositories are not): inject is tested on what the real helm renders of them.
CHART_MODULES="sigs.k8s.io/metrics-server@v0.8.0:charts/metrics-server
k8s.io/ingress-nginx@v0.0.0-20240708192948-52c50467d67d:charts/ingress-nginx
github.com/cert-manager/cert-manager@v1.21.2:deploy/charts/cert-manager"
fetch_charts() {
  CHARTS_JSON=""
  local entry module path dir
  for entry in $CHART_MODULES; do
    module="${entry%%:*}" path="${entry#*:}"
    dir="$(cd "$CACHE" && go mod download -json "$module" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" || die "go mod download $module failed"
    [ -f "$dir/$path/Chart.yaml" ] || die "go mod download $module gave no chart at $path"
    CHARTS_JSON="$CHARTS_JSON${CHARTS_JSON:+,}\"${path##*/}\":\"$dir/$path\""
  done
}

# The tests' Go YAML parser (what kubectl and the apiserver use), built from test/goyaml and
# cached by the hash of its source.
build_goyaml() {
  local src; src="$(cd "$(dirname "$0")/../test/goyaml" && pwd)"
  local hash; hash="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)"
  GOYAML_BIN="$CACHE/goyaml-$hash/goyaml"
  if [ -x "$GOYAML_BIN" ]; then return; fi
  need_go
  say "building the tests' Go YAML parser (a few seconds)"
  rm -rf "$CACHE/goyaml-$hash.tmp" && mkdir -p "$CACHE/goyaml-$hash.tmp"
  (cd "$src" && CGO_ENABLED=0 go build -o "$CACHE/goyaml-$hash.tmp/goyaml" .) || die "go build test/goyaml failed"
  rm -rf "$CACHE/goyaml-$hash" && mv "$CACHE/goyaml-$hash.tmp" "$CACHE/goyaml-$hash"
}

# The aws CLI honours AWS_ENDPOINT_URL_STS/_S3 from v1.29 and v2.13 only; older ones would
# silently send the STS call to AWS. The machine image has one under pyenv, maybe not on PATH.
aws_supports_endpoints() {
  local version major minor
  version=$("$1" --version 2>&1 | sed -n 's#^aws-cli/\([0-9]*\)\.\([0-9]*\).*#\1 \2#p')
  read -r major minor <<<"$version"
  [ -n "${major:-}" ] || return 1
  { [ "$major" = 1 ] && [ "$minor" -ge 29 ]; } || { [ "$major" = 2 ] && [ "$minor" -ge 13 ]; }
}

find_aws() {
  local candidate
  for candidate in "$(command -v aws 2>/dev/null || true)" "$HOME/.pyenv/shims/aws" /usr/local/bin/aws /usr/bin/aws; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && aws_supports_endpoints "$candidate"; then AWS_BIN="$candidate"; return; fi
  done
  apt_install aws awscli "the real client the tests use"
  AWS_BIN="$(command -v aws)"
  aws_supports_endpoints "$AWS_BIN" || die "the aws CLI at $AWS_BIN ($("$AWS_BIN" --version 2>&1 | cut -d' ' -f1)) ignores AWS_ENDPOINT_URL_STS/_S3: install aws-cli v1 >= 1.29 or v2 >= 2.13"
}

# --with-image (the tests, not the demo): the webhook's image is built from the repository's
# Dockerfile and run with podman (Debian's package; runc, because crun refuses cgroup v1 hybrid
# hosts). Its base, node:<version>-alpine, is on Docker Hub, which this kind of machine cannot
# reach: the test builds FROM a stand-in instead, laid out as the official node images are
# (node, npm and corepack under /usr/local) on a minimal Debian from debootstrap, with this
# machine's own Node release and its trust store (for `npm ci` in the build: some networks reach
# npm through a TLS proxy). Cached by both.
build_node_base() {
  local node_version trust
  node_version="$(node -p 'process.versions.node')"
  trust="$(sha256sum /etc/ssl/certs/ca-certificates.crt | cut -c1-12)" \
    || die "no trust store at /etc/ssl/certs/ca-certificates.crt: install Debian's ca-certificates"
  NODE_BASE="localhost/minio-irsa-node-standin:$node_version-bookworm-$trust"
  apt_install podman podman "builds and runs the webhook's image in the image test"
  apt_install runc runc "podman's runtime on cgroup v1 hosts"
  apt_install debootstrap debootstrap "the stand-in base of the image test"
  # Written every run (a few bytes): an edit here reaches machines that already have one.
  # Containers may only lower this sandbox's rlimits, never set them to podman's defaults.
  PODMAN_CONF="$CACHE/podman/containers.conf"
  mkdir -p "$CACHE/podman"
  printf '[containers]\ndefault_ulimits = ["nofile=16384:16384", "nproc=4096:4096"]\n\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' >"$PODMAN_CONF.tmp"
  mv "$PODMAN_CONF.tmp" "$PODMAN_CONF"
  if CONTAINERS_CONF="$PODMAN_CONF" podman image exists "$NODE_BASE"; then return; fi
  local tarball="$CACHE/node-standin-v$node_version-bookworm-$trust.tar"
  if [ ! -f "$tarball" ]; then
    say "building the image test's base: Debian bookworm (debootstrap) with Node $node_version (first time only; about a minute)"
    local root="$CACHE/node-standin.tmp"
    rm -rf "$root"
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$CACHE/debootstrap.log" 2>&1 \
      || die "debootstrap failed: see $CACHE/debootstrap.log"
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    install -m 0755 "$(command -v node)" "$root/usr/local/bin/node"
    mkdir -p "$root/usr/local/lib/node_modules"
    cp -a "$(npm root -g)/npm" "$root/usr/local/lib/node_modules/npm"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
    mkdir -p "$root/etc/ssl/certs"
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
    tar -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball" && rm -rf "$root"
  fi
  CONTAINERS_CONF="$PODMAN_CONF" podman import --change 'CMD ["node"]' --change 'ENV NODE_VERSION='"$node_version" \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    "$tarball" "$NODE_BASE" >/dev/null 2>"$CACHE/podman-import.log" || die "podman import of $tarball failed: see $CACHE/podman-import.log"
}

mkdir -p "$CACHE"
ensure_etcd
find_aws
apt_install openssl openssl "the rig makes its certificates with it"
build_kube
build_minio
build_mc
build_goyaml
build_litestream "$LITESTREAM_03"
build_litestream "$LITESTREAM_05"
build_helm
need_go
fetch_charts
IMAGE_JSON=""
if [ "${1:-}" = "--with-image" ]; then
  build_node_base
  IMAGE_JSON=",\"podman\":\"$(command -v podman)\",\"podmanConf\":\"$PODMAN_CONF\",\"nodeBase\":\"$NODE_BASE\""
fi

cat <<JSON
{"etcd":"$(command -v etcd)","kubeApiserver":"$CACHE/kube-apiserver-v$K8S_VERSION/kube-apiserver","kubeApiserverK3s":"$CACHE/kube-apiserver-v$K8S_VERSION/kube-apiserver-k3s","kubectl":"$CACHE/kube-apiserver-v$K8S_VERSION/kubectl","mc":"$CACHE/mc-$MC_VERSION/mc","minio":"$CACHE/minio-$MINIO_VERSION/minio","aws":"$AWS_BIN","goyaml":"$GOYAML_BIN","litestream03":"$CACHE/litestream-$LITESTREAM_03/litestream","litestream05":"$CACHE/litestream-$LITESTREAM_05/litestream","helm":"$CACHE/helm-$HELM_VERSION/helm","charts":{$CHARTS_JSON}$IMAGE_JSON}
JSON
