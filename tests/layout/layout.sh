#!/usr/bin/env bash
# The rooms of ARCHITECTURE.md and what each may include, checked on the
# source tree (no build needed):
#  - pipeline/ is plain C: no GStreamer header or type, nothing of elements/
#    or launch/;
#  - each area of pipeline/ includes only the areas below it;
#  - launch/ includes no elements/ header, elements/ no launch/ header;
#  - every error domain of pipeline/ is declared in NAME-error.h and defined
#    in NAME-error.c of its area (ES_NAME_ERROR, es-NAME-error-quark).
# Arg: SOURCE_ROOT
set -u
src=${1:?usage: layout.sh SOURCE_ROOT}
cd "$src" || exit 1
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# C files of a folder (recursively), tests and build trees excluded.
sources() { find "$@" -name '*.[ch]' -not -path '*/build*' | sort; }

# pipeline/: no GStreamer
hits=$(grep -nE '#include <gst/|\bGst[A-Z][A-Za-z]+\b|\bgst_[a-z_]+ ?\(' $(sources pipeline) || true)
[ -z "$hits" ] && ok "pipeline/ uses no GStreamer header or type" \
  || fail "GStreamer in pipeline/: $hits"
hits=$(grep -nE '#include "[^"]*(elements|launch)/' $(sources pipeline) || true)
[ -z "$hits" ] && ok "pipeline/ includes nothing of elements/ or launch/" \
  || fail "pipeline/ reaches up: $hits"

# Areas of pipeline/ and the areas each may include (below it).
declare -A allowed=(
  [dsp]=""
  [decide]=""
  [io]="dsp"
  [nn]="dsp io"
  [model]="dsp io nn"
  [eq]="dsp io"
  [train]="dsp io nn model decide"
  [tasks]="dsp io nn model train decide"
)
for area in "${!allowed[@]}"; do
  [ -d "pipeline/$area" ] || { fail "no pipeline/$area"; continue; }
  bad=""
  while IFS=: read -r file line text; do
    # "area/x.h" (from pipeline/) or "../area/x.h" / "../../area/x.h" (relative)
    inc=$(sed -E 's/.*#include "(\.\.\/)*([a-z]+)\/.*/\2/' <<<"$text")
    [ "$inc" = "$area" ] && continue
    [ -n "${allowed[$inc]+set}" ] || continue   # not an area (e.g. "layers/x.h")
    case " ${allowed[$area]} " in *" $inc "*) ;; *) bad="$bad $file:$line($inc)" ;; esac
  done < <(grep -nE '#include "(\.\./)*[a-z]+/' $(sources "pipeline/$area") || true)
  [ -z "$bad" ] && ok "pipeline/$area includes only: ${allowed[$area]:-(no other area)}" \
    || fail "pipeline/$area includes an area above it:$bad"
done

# launch/ and elements/ do not include each other's headers.
for pair in "launch elements" "elements launch"; do
  set -- $pair
  names=$(cd "$2" && ls -- *.h 2>/dev/null)
  bad=""
  for h in $names; do
    [ -e "$1/$h" ] && continue   # a header of the same name of its own
    bad="$bad$(grep -lE "#include \"([^\"]*/)?$h\"" $(sources "$1") 2>/dev/null | sed "s|\$| ($h)|" | tr '\n' ' ')"
  done
  hits=$(grep -nE "#include \"[^\"]*\\.\\./$2/" $(sources "$1") || true)
  [ -z "$bad$hits" ] && ok "$1/ includes no $2/ header" || fail "$1/ includes $2/ headers: $bad$hits"
done

# Error domains: declared in NAME-error.h, defined in NAME-error.c, in pipeline/.
while IFS=: read -r file _ text; do
  name=$(sed -E 's/.*G_DEFINE_QUARK \(es-([a-z-]+)-error-quark.*/\1/' <<<"$text")
  [ "$(basename "$file")" = "$name-error.c" ] && ok "domain $name defined in $file" \
    || fail "$file defines the domain '$name' (expected in $name-error.c)"
done < <(grep -nE 'G_DEFINE_QUARK' $(sources pipeline) || true)
while IFS=: read -r file _ text; do
  macro=$(sed -E 's/.*#define (ES_[A-Z_]+_ERROR) .*/\1/' <<<"$text")
  name=$(sed -E 's/^ES_//; s/_ERROR$//' <<<"$macro" | tr 'A-Z_' 'a-z-')
  [ "$(basename "$file")" = "$name-error.h" ] && ok "$macro declared in $file" \
    || fail "$file declares $macro (expected in $name-error.h)"
done < <(grep -nE '#define ES_[A-Z_]+_ERROR \(' $(sources pipeline) || true)

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
