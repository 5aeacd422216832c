#!/usr/bin/env python3
"""compare.py HEAPLENS DUMP HISTO: every class's object count in DUMP
(heaplens, reachable and unreachable objects) against `jmap -histo:live`
(HISTO, taken just after the dump, the program idle).  Prints the classes
that differ; exit 1 when any other than the synthetic <system class loader>
(java.lang.ClassLoader) and, on G1, java.lang.Class (the CDS archive's
mirrors, one per dangling reference) does."""
import re
import subprocess
import sys

PRIM = {'Z': 'boolean', 'C': 'char', 'F': 'float', 'D': 'double',
        'B': 'byte', 'S': 'short', 'I': 'int', 'J': 'long'}


def java_name(n):
    """jmap's JVM names ([I, [Ljava.lang.String;) as heaplens prints them;
    a hidden class's /0x... suffix as the dump writes it (+0x...)."""
    d = 0
    while n.startswith('['):
        d += 1
        n = n[1:]
    if d:
        n = PRIM[n] if n in PRIM else n[1:-1]
    return n.replace('/0x', '+0x') + '[]' * d


def main():
    heaplens, dump, histo = sys.argv[1:4]
    jmap = {}
    for line in open(histo):
        m = re.match(r'\s*\d+:\s+(\d+)\s+\d+\s+(\S+)', line)
        if m:
            k = java_name(m.group(2))
            jmap[k] = jmap.get(k, 0) + int(m.group(1))
    ours = {}
    for extra in ([], ['--unreachable']):
        out = subprocess.run([heaplens, 'histogram', '--no-index', '--format', 'tsv',
                              '--no-retained'] + extra + [dump],
                             capture_output=True, text=True, check=True).stdout
        for row in out.splitlines()[1:]:
            f = row.split('\t')
            ours[f[0]] = ours.get(f[0], 0) + int(f[1])
    info = subprocess.run([heaplens, 'info', '--no-index', '--format', 'tsv', dump],
                          capture_output=True, text=True, check=True).stdout
    dangling = int(re.search(r'^dangling_refs\t(\d+)', info, re.M).group(1))
    bad = 0
    for k in sorted(set(jmap) | set(ours)):
        a, b = jmap.get(k, 0), ours.get(k, 0)
        if a == b:
            continue
        known = (k == 'java.lang.ClassLoader' and b == a + 1) or \
                (k == 'java.lang.Class' and a - b == dangling)
        print(f"{'known' if known else 'DIFF '} {k}: jmap {a}, heaplens {b}")
        bad += not known
    print(f"{len(set(jmap) | set(ours))} classes, {sum(jmap.values())} objects (jmap), "
          f"{sum(ours.values())} (heaplens), {dangling} dangling references: "
          f"{bad} classes differ")
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
