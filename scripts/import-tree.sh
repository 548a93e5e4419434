#!/usr/bin/env bash
# Make the git working tree: one commit holding the base, then `git am` of
# every patch in `series`. Prints the tree's path.
#   import-tree.sh [--base-only|--if-needed] [TREE]
# TREE defaults to $XPV_CACHE/work/tree. Refuses to throw away commits or
# edits that were never exported, unless FORCE=1. --if-needed keeps a tree
# that already matches the series, or that holds unexported work (with a
# warning), so that building never destroys anything; with FORCE=1 it
# re-imports such a tree instead (for trees only the tests use).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need git rsync

base_only=0 if_needed=0
case ${1:-} in
--base-only) base_only=1; shift ;;
--if-needed) if_needed=1; shift ;;
esac
tree=${1:-$XPV_CACHE/work/tree}
base=$("$XPV_TOP/scripts/fetch-base.sh")
base_id=$(if [ -n "${KDIR:-}" ]; then echo "kdir:$base:$(kernel_version_of "$base")"; else cat "$XPV_CACHE/base-version"; fi)

series_hash() {
	(cat "$XPV_TOP/series"; grep -v '^[[:space:]]*#' "$XPV_TOP/series" | awk 'NF{print $1}' |
		while read -r p; do cat "$XPV_TOP/patches/$p" 2>/dev/null; done) | sha256sum | cut -c1-16
}

if [ $if_needed = 1 ] && [ -d "$tree/.git" ] &&
   [ "$(cat "$tree/.git/xpv-base-id" 2>/dev/null)" = "$base_id" ]; then
	synced=$(git -C "$tree" rev-parse -q --verify refs/xpv/synced || true)
	head=$(git -C "$tree" rev-parse -q --verify HEAD || true)
	if [ "$head" != "$synced" ] || [ -n "$(git -C "$tree" status --porcelain)" ]; then
		if [ "${FORCE:-0}" != 1 ]; then
			warn "using $tree as it is: it holds work that is not in patches/ yet ('make export')"
			echo "$tree"; exit 0
		fi
	elif [ "$(cat "$tree/.git/xpv-series-hash" 2>/dev/null)" = "$(series_hash)" ]; then
		echo "$tree"; exit 0
	fi
fi

# Nothing lost: a tree whose HEAD moved past the last import/export, or that
# has uncommitted edits, holds work that exists nowhere else.
if [ -d "$tree/.git" ] && [ "${FORCE:-0}" != 1 ]; then
	synced=$(git -C "$tree" rev-parse -q --verify refs/xpv/synced || true)
	head=$(git -C "$tree" rev-parse -q --verify HEAD || true)
	if [ -n "$head" ] && [ "$head" != "$synced" ]; then
		die "$tree has commits that were never exported" \
		    "run 'make export' first, or FORCE=1 make import to discard them"
	fi
	if [ -n "$(git -C "$tree" status --porcelain --untracked-files=normal)" ]; then
		die "$tree has uncommitted changes" \
		    "commit and 'make export' them, or FORCE=1 make import to discard them"
	fi
fi

# One pristine repository per base, holding only the base commit; trees are
# local clones of it (hard-linked objects), so a new tree takes seconds.
base_repo=$XPV_CACHE/base-repo/$(echo "$base_id" | sha256sum | cut -c1-16).git
if [ ! -f "$base_repo/xpv-base-id" ]; then
	log "import: creating the base commit for $base_id (about 1 min, once)"
	rm -rf "$base_repo" "$base_repo.tmp"
	mkdir -p "$base_repo.tmp/src"
	if [ -n "${KDIR:-}" ] && [ -d "$KDIR/.git" ]; then
		git -C "$KDIR" ls-files -z | rsync -a --from0 --files-from=- "$KDIR/" "$base_repo.tmp/src/"
	else
		rsync -a --exclude=/.git --exclude=/.xpv-base-* "$base/" "$base_repo.tmp/src/"
	fi
	# Debian's top-level .gitignore ends with "/*" (its packaging ignores the
	# whole tree): without dropping it, new files would silently go missing.
	sed -i '/^# Debian packaging: ignore everything/,$d' "$base_repo.tmp/src/.gitignore"
	g=(git -C "$base_repo.tmp/src")
	"${g[@]}" init -q
	"${g[@]}" add -A
	GIT_AUTHOR_DATE=$XPV_BASE_DATE GIT_COMMITTER_DATE=$XPV_BASE_DATE \
		"${g[@]}" commit -q --author="xpv <xpv@localhost>" -m "base: $base_id"
	"${g[@]}" tag xpv-base
	git clone -q --bare "$base_repo.tmp/src" "$base_repo.tmp/bare.git"
	echo "$base_id" >"$base_repo.tmp/bare.git/xpv-base-id"
	mv "$base_repo.tmp/bare.git" "$base_repo"
	rm -rf "$base_repo.tmp"
fi

if [ "$(cat "$tree/.git/xpv-base-id" 2>/dev/null)" != "$base_id" ]; then
	log "import: new tree $tree"
	rm -rf "$tree"
	git clone -q --no-checkout "$base_repo" "$tree"
	git -C "$tree" config core.abbrev 12
	git -C "$tree" fetch -q origin tag xpv-base
	echo "$base_id" >"$tree/.git/xpv-base-id"
fi

# Whatever is left in the tree is to go (checked above, or FORCE=1): also
# the half-applied patch of an import that was killed, which a plain
# checkout would refuse to overwrite.
git -C "$tree" am --abort >/dev/null 2>&1 || true
git -C "$tree" checkout -q -f -B xpv xpv-base
git -C "$tree" reset -q --hard xpv-base
git -C "$tree" clean -q -fdx
# From here on the tree holds nothing but what the series makes of it.
git -C "$tree" update-ref refs/xpv/synced HEAD
rm -f "$tree/.git/xpv-series-hash"

git -C "$tree" config user.name xpv
git -C "$tree" config user.email xpv@localhost
patches=()
[ $base_only = 1 ] ||
	mapfile -t patches < <(grep -v '^[[:space:]]*#' "$XPV_TOP/series" | awk 'NF{print $1}')
for p in "${patches[@]}"; do
	[ -f "$XPV_TOP/patches/$p" ] || die "series lists $p, but patches/$p does not exist" "fix series or restore the patch"
done
n=0
for p in "${patches[@]}"; do
	n=$((n + 1))
	if ! git -C "$tree" am -q --committer-date-is-author-date "$XPV_TOP/patches/$p" >"$tree/.git/xpv-am.log" 2>&1; then
		cat "$tree/.git/xpv-am.log" >&2
		git -C "$tree" am --abort >/dev/null 2>&1 || true
		git -C "$tree" reset -q --hard xpv-base
		git -C "$tree" update-ref refs/xpv/synced HEAD
		die "patch $n ($p) does not apply; the tree was reset to the bare base" \
		    "rebase that patch onto the base named in BASE (see Documentation/workflow.rst)"
	fi
done
git -C "$tree" update-ref refs/xpv/synced HEAD
[ $base_only = 1 ] || series_hash >"$tree/.git/xpv-series-hash"
log "import: $tree at xpv-base + ${#patches[@]} patches"
echo "$tree"
