#!/usr/bin/env bash
# Builds samtools 1.24 (the peer of the benchmark; `samtools checksum` needs >= 1.22 and Debian
# ships 1.16) the way samtools' own build does: htslib configured with libdeflate, -O2.
#
# The sources come from PyPI: the pysam 0.24.1 sdist carries htslib 1.24 and samtools 1.24's
# unmodified `.c` files (beside pysam's `.pysam.c` rewrites, which are not used). Only `tview`
# (which needs curses and whose sources pysam leaves out) is replaced by a stub that exits 1.
#
# With `bcftools` as second argument it also builds bcftools 1.24 from the same sdist (no
# plugins, no GPL or Perl parts), for the VCF benchmark (`run.sh vcf`).
#
# Usage: build-samtools.sh DIR [bcftools]  -> DIR/samtools [DIR/bcftools]
#        (skips the build when they are already there)
set -euo pipefail

dir=$(mkdir -p "$1" && cd "$1" && pwd)
out="$dir/samtools"
tools=("$out")
[ "${2:-}" = bcftools ] && tools+=("$dir/bcftools")
built=1
for tool in "${tools[@]}"; do [ -x "$tool" ] || built=0; done
[ $built = 1 ] && exit 0
mkdir -p "$dir"

need=()
for package in gcc make libdeflate-dev zlib1g-dev libbz2-dev liblzma-dev; do
    dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi

src="$dir/src"
rm -rf "$src" && mkdir -p "$src"
# Fetch the sdist itself, as PyPI's simple index lists it (the JSON form pip reads, PEP 691), with
# retries, and check it against the SHA-256 pinned here (and listed there). Nothing is compiled to
# fetch it: `pip download --no-binary :all:` would build pysam's build dependencies, Cython among
# them, from source just to read the sdist's metadata (about 13 minutes on a fresh machine).
python3 - "$src" <<'PY'
import hashlib, json, sys, time, urllib.request
NAME, SHA256 = "pysam-0.24.1.tar.gz", "90f612afccdb454d2447ecb5229266c6e7f991093deed4ed0a791db01f7fc994"
def fetch(request):
    for attempt in range(3):
        try:
            with urllib.request.urlopen(request, timeout=120) as r:
                return r.read()
        except OSError as e:
            if attempt == 2:
                sys.exit(f"pysam sdist: {e}")
            time.sleep(5 * (attempt + 1))
index = urllib.request.Request(
    "https://pypi.org/simple/pysam/",
    headers={"Accept": "application/vnd.pypi.simple.v1+json"},
)
sdist = next(f for f in json.loads(fetch(index))["files"] if f["filename"] == NAME)
if sdist["hashes"].get("sha256") != SHA256:
    sys.exit(f"pysam sdist: the index lists SHA-256 {sdist['hashes']}, expected {SHA256}")
data = fetch(sdist["url"])
if hashlib.sha256(data).hexdigest() != SHA256:
    sys.exit("pysam sdist: the download's SHA-256 does not match")
with open(f"{sys.argv[1]}/{NAME}", "wb") as f:
    f.write(data)
PY
tar -xzf "$src"/pysam-0.24.1.tar.gz -C "$src"
root="$src/pysam-0.24.1"

echo "building htslib 1.24 with libdeflate" >&2
(cd "$root/htslib" &&
    ./configure -q --with-libdeflate --disable-libcurl --disable-gcs --disable-s3 --disable-plugins &&
    make -s -j"$(nproc)" lib-static) >&2

echo "building samtools 1.24" >&2
cd "$root/samtools"
{
    echo '#define SAMTOOLS_VERSION "1.24"'
    for v in CC CPPFLAGS CFLAGS LDFLAGS HTSDIR LIBS CURSES_LIB; do
        echo "#define SAMTOOLS_$v \"bionft-bench\""
    done
} > version.h
echo '#define HAVE_CURSES 0' > config.h
echo 'int bam_tview_main(int argc, char *argv[]) { (void)argc; (void)argv; return 1; }' > tview_stub.c
sources=$(ls ./*.c lz4/lz4.c | grep -v '\.pysam\.c$')
printf '%s\n' $sources | xargs -P"$(nproc)" -I{} \
    gcc -O2 -I. -I../htslib -Ilz4 -D_XOPEN_SOURCE=700 -w -c {} -o {}.o
gcc -o "$out.tmp" $(printf '%s.o ' $sources) ../htslib/libhts.a \
    -ldeflate -lz -lbz2 -llzma -lm -lpthread
mv "$out.tmp" "$out"
"$out" --version | head -2 >&2
[ "${2:-}" = bcftools ] || exit 0

echo "building bcftools 1.24" >&2
cd "$root/bcftools"
echo '#define BCFTOOLS_VERSION "1.24"' > version.h
: > config.h
# peakfit and polysomy need GSL (GPL build only); plugins are loaded at run time, not needed.
sources=$(ls ./*.c | grep -v -e '\.pysam\.c$' -e '/peakfit\.c$' -e '/polysomy\.c$')
printf '%s\n' $sources | xargs -P"$(nproc)" -I{} \
    gcc -O2 -I. -I../htslib -D_XOPEN_SOURCE=700 -w -c {} -o {}.o
gcc -o "$dir/bcftools.tmp" $(printf '%s.o ' $sources) ../htslib/libhts.a \
    -ldeflate -lz -lbz2 -llzma -lm -lpthread -ldl
mv "$dir/bcftools.tmp" "$dir/bcftools"
"$dir/bcftools" --version | head -2 >&2
