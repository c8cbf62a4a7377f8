#!/bin/sh
# fetch-debian-source.sh PKG DESTDIR
#
# Downloads the Debian source package PKG (at run time; nothing is committed) and unpacks it into DESTDIR.
#
#  * The downloaded files (.dsc, tarballs) are cached in $CPROF_CACHE/PKG (default
#    $HOME/.cache/cprof/debsrc/PKG); once cached, no network access and no root are needed.
#  * If apt knows no source index yet, the script creates /etc/apt/sources.list.d/cprof-src.sources as a
#    deb-src twin of /etc/apt/sources.list.d/debian.sources (when no deb-src entry exists) and runs
#    `apt-get update` once. That needs root: without it the script exits with status 77 ("skip").
#  * Unpacking: `dpkg-source -x` into DESTDIR, which then is the source tree.
#    gcc-N is special: only the c-torture tests are wanted, so the inner gcc-*-dfsg.tar.* of the orig tarball
#    is streamed through tar with wildcards and only gcc/testsuite/gcc.c-torture/execute and
#    gcc/testsuite/gcc.dg/torture land in DESTDIR (DESTDIR/gcc/testsuite/...). The 100 MB tree is never
#    written to disk.
#  * Idempotent: DESTDIR/.cprof-fetched records what was unpacked; a second call with the same package
#    version returns at once. A DESTDIR that exists without that stamp is never overwritten.
#
# Exit status: 0 done, 1 error, 2 usage, 77 cannot fetch without root (meson's "skipped").
set -eu

me=fetch-debian-source.sh
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$me" "$*" >&2; }

if [ "$#" -ne 2 ]; then
    printf 'usage: %s PKG DESTDIR\n' "$me" >&2
    exit 2
fi
pkg=$1
dest=$2
case "$pkg" in
    ''|*/*|-*) die "invalid package name '$pkg'" ;;
esac
[ -n "$dest" ] || die "empty DESTDIR"

cache_root=${CPROF_CACHE:-${HOME:?HOME is not set; set CPROF_CACHE}/.cache/cprof/debsrc}
case "$cache_root" in
    /*) ;;
    *) cache_root=$PWD/$cache_root ;;
esac
cache=$cache_root/$pkg

# The newest .dsc in the cache (empty when none).
cached_dsc() {
    ls -1 "$cache"/*.dsc 2>/dev/null | sort -V | tail -n 1
}

have_deb_src() {
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] && grep -Eq '^[[:space:]]*deb-src[[:space:]]' "$f" && return 0
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && grep -Eq '^Types:.*\bdeb-src\b' "$f" && return 0
    done
    return 1
}

need_root() {
    if [ "$(id -u)" -ne 0 ]; then
        note "$1 needs root, and '$pkg' is not in the cache ($cache)."
        note "Run this script once as root (or populate the cache, or set CPROF_CACHE to a filled cache)."
        exit 77
    fi
}

# apt-cache showsrc prints nothing when no source index lists the package.
apt_knows_source() {
    [ -n "$(apt-cache showsrc "$pkg" 2>/dev/null | head -n 1)" ]
}

download() {
    if ! apt_knows_source; then
        if ! have_deb_src; then
            need_root "Adding a deb-src entry"
            src=/etc/apt/sources.list.d/debian.sources
            [ -f "$src" ] || die "no deb-src entry and no $src to copy it from; add a deb-src line by hand"
            note "creating /etc/apt/sources.list.d/cprof-src.sources (deb-src twin of $src)"
            sed -E 's/^Types:[[:space:]]*deb[[:space:]]*$/Types: deb-src/' "$src" \
                >/etc/apt/sources.list.d/cprof-src.sources.tmp.$$
            mv /etc/apt/sources.list.d/cprof-src.sources.tmp.$$ /etc/apt/sources.list.d/cprof-src.sources
        fi
        need_root "apt-get update"
        note "apt-get update (fetching the source indexes)"
        apt-get update -qq || die "apt-get update failed"
        apt_knows_source || die "no source package '$pkg' in the configured deb-src suites"
    fi
    note "downloading source package '$pkg' into $cache"
    # Into a fresh directory first, so that an interrupted download never looks like a cached one.
    mkdir -p "$cache_root"
    dl=$(mktemp -d "$cache_root/.download.XXXXXX")
    # apt would drop to user _apt, which cannot write a private cache, and warn; download as the caller.
    # The newest version first; when a mirror lacks its files (a security update whose pool entry is
    # gone answers 404), every other version the indexes list, newest first.
    if ! (cd "$dl" && apt-get source -qq --download-only -o APT::Sandbox::User="$(id -un)" "$pkg"); then
        got=0
        for v in $(apt-cache showsrc "$pkg" | sed -n 's/^Version: *//p' | sort -u -r -V); do
            note "retrying with version $v"
            rm -rf "${dl:?}"/*
            if (cd "$dl" && apt-get source -qq --download-only -o APT::Sandbox::User="$(id -un)" \
                    "$pkg=$v"); then
                got=1
                break
            fi
        done
        if [ "$got" = 0 ]; then
            rm -rf "$dl"
            die "apt-get source --download-only $pkg failed (every listed version)"
        fi
    fi
    chmod 755 "$dl"   # mktemp made it private
    rm -rf "$cache"
    mv "$dl" "$cache"
}

dsc=$(cached_dsc)
if [ -z "$dsc" ]; then
    download
    dsc=$(cached_dsc)
    [ -n "$dsc" ] || die "apt-get source left no .dsc in $cache"
else
    note "using cached $(basename "$dsc")"
fi
stamp_value=$(basename "$dsc")

if [ -f "$dest/.cprof-fetched" ] && [ "$(cat "$dest/.cprof-fetched")" = "$stamp_value" ]; then
    note "$dest is up to date ($stamp_value)"
    exit 0
fi
if [ -e "$dest" ]; then
    if [ -f "$dest/.cprof-fetched" ]; then
        note "replacing $dest (it holds $(cat "$dest/.cprof-fetched"), want $stamp_value)"
        rm -rf "$dest"
    else
        die "$dest exists and was not made by this script; remove it or choose another DESTDIR"
    fi
fi
mkdir -p "$(dirname "$dest")"
tmp=$dest.tmp.$$
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM HUP

case "$pkg" in
    gcc-[0-9]*)
        orig=$(ls -1 "$cache"/*.orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -n 1)
        [ -n "$orig" ] || die "no orig tarball next to $dsc"
        inner=$(tar -tf "$orig" | grep -E '(^|/)gcc-[^/]*-dfsg\.tar\.[a-z0-9]+$' | head -n 1)
        [ -n "$inner" ] || die "$orig holds no inner gcc-*-dfsg.tar.*"
        case "$inner" in
            *.xz) z=--xz ;;
            *.gz) z=--gzip ;;
            *.bz2) z=--bzip2 ;;
            *.zst) z=--zstd ;;
            *.lz) z=--lzip ;;
            *) die "unknown compression of $inner" ;;
        esac
        note "extracting the c-torture tests from $(basename "$orig"):$inner"
        mkdir -p "$tmp"
        # Member names are gcc-12.2.0/gcc/testsuite/...; strip the top directory.
        tar -xOf "$orig" "$inner" |
            tar -x $z -C "$tmp" --strip-components=1 --wildcards \
                '*/gcc/testsuite/gcc.c-torture/execute/*' '*/gcc/testsuite/gcc.dg/torture/*' ||
            die "extracting the testsuite from $inner failed"
        [ -d "$tmp/gcc/testsuite/gcc.c-torture/execute" ] ||
            die "gcc/testsuite/gcc.c-torture/execute is not in $inner"
        ;;
    *)
        note "unpacking $(basename "$dsc") with dpkg-source -x"
        dpkg-source --no-check -x "$dsc" "$tmp" >/dev/null || die "dpkg-source -x $dsc failed"
        ;;
esac
printf '%s\n' "$stamp_value" >"$tmp/.cprof-fetched"
mv "$tmp" "$dest"
trap - EXIT INT TERM HUP
note "unpacked $pkg into $dest"
