#!/bin/sh
# gate_linkage.sh BUILD [PAIRS]: custos_check through libcustos.so against
# the same program linked with libcustos.a (the peer), in turn, PAIRS times
# (default 5); prints each run and the ratio of the medians of medians.
# BUILD is a Release tree configured with -DCUSTOS_BUILD_BENCH=ON.
set -eu
build=${1:?usage: gate_linkage.sh BUILD [PAIRS]}
pairs=${2:-5}
cmake --build "$build" --target gate_linkage_shared gate_linkage_static >/dev/null
shared=$(find "$build" -name gate_linkage_shared -type f -perm -u+x | head -n 1)
static=$(find "$build" -name gate_linkage_static -type f -perm -u+x | head -n 1)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
i=0
while [ "$i" -lt "$pairs" ]; do
  s=$("$shared" 201)
  t=$("$static" 201)
  printf 'shared %s\nstatic %s\n' "$s" "$t" | tee -a "$out"
  i=$((i + 1))
done
awk '{ v[$1] = v[$1] " " $3 }
     function med(s,   a, n, i, j, t) { n = split(s, a, " ");
       for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
       return a[int((n + 1) / 2)] }
     END { s = med(v["shared"]); t = med(v["static"]);
           printf "median of medians: shared %.2f ns, static %.2f ns, shared/static %.2fx\n", s, t, s / t }' "$out"
