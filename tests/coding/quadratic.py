"""Correct but quadratic solutions of every bank question, in Python and C++ (the slowest and
the fastest runtime): the efficiency sizes must tell each of them from the reference."""

from __future__ import annotations

PYTHON = {
    "count-inversions": """import sys
d = sys.stdin.buffer.read().split()
n = int(d[0])
a = [int(x) for x in d[1:1 + n]]
c = 0
for i in range(n):
    x = a[i]
    for j in range(i + 1, n):
        if x > a[j]:
            c += 1
print(c)
""",
    "pair-sum": """import sys
d = sys.stdin.buffer.read().split()
n, k = int(d[0]), int(d[1])
a = [int(x) for x in d[2:2 + n]]
c = 0
for i in range(n):
    w = k - a[i]
    for j in range(i + 1, n):
        if a[j] == w:
            c += 1
print(c)
""",
    "interval-union": """import sys
d = sys.stdin.buffer.read().split()
n = int(d[0])
merged = []
for i in range(n):
    left, right = int(d[1 + 2 * i]), int(d[2 + 2 * i])
    kept = []
    for a, b in merged:
        if b < left or a > right:
            kept.append((a, b))
        else:
            left, right = min(left, a), max(right, b)
    kept.append((left, right))
    merged = kept
print(sum(b - a for a, b in merged))
""",
    "distinct-window": """import sys
d = sys.stdin.buffer.read().split()
n = int(d[0])
a = d[1:1 + n]
best = 0
for i in range(n):
    seen = set()
    for j in range(i, n):
        if a[j] in seen:
            break
        seen.add(a[j])
    best = max(best, len(seen))
print(best)
""",
}

CPP = {
    "count-inversions": """#include <cstdio>
#include <vector>
int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 0;
    std::vector<long long> a(n);
    for (auto &x : a) std::scanf("%lld", &x);
    long long c = 0;
    for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < n; ++j) c += a[i] > a[j];
    std::printf("%lld\\n", c);
}
""",
    "pair-sum": """#include <cstdio>
#include <vector>
int main() {
    long long n, k;
    if (std::scanf("%lld %lld", &n, &k) != 2) return 0;
    std::vector<long long> a(n);
    for (auto &x : a) std::scanf("%lld", &x);
    long long c = 0;
    for (long long i = 0; i < n; ++i)
        for (long long j = i + 1; j < n; ++j) c += a[i] + a[j] == k;
    std::printf("%lld\\n", c);
}
""",
    "interval-union": """#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>
int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 0;
    std::vector<std::pair<long long, long long>> merged, kept;
    for (int i = 0; i < n; ++i) {
        long long l, r;
        std::scanf("%lld %lld", &l, &r);
        kept.clear();
        for (auto &s : merged) {
            if (s.second < l || s.first > r) kept.push_back(s);
            else { l = std::min(l, s.first); r = std::max(r, s.second); }
        }
        kept.push_back({l, r});
        merged.swap(kept);
    }
    long long total = 0;
    for (auto &s : merged) total += s.second - s.first;
    std::printf("%lld\\n", total);
}
""",
    "distinct-window": """#include <cstdio>
#include <vector>
int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 0;
    std::vector<long long> a(n);
    for (auto &x : a) std::scanf("%lld", &x);
    int best = 0, start = 0;
    for (int j = 0; j < n; ++j) {
        int previous = -1;
        for (int k = j - 1; k >= 0; --k)
            if (a[k] == a[j]) { previous = k; break; }
        if (previous >= start) start = previous + 1;
        if (j - start + 1 > best) best = j - start + 1;
    }
    std::printf("%d\\n", best);
}
""",
}

QUADRATIC = {"python": PYTHON, "cpp": CPP}
