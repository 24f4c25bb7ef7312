#!/usr/bin/env python3
"""check_layers.py -- every #include of the service against tests/layers.txt.

    tests/tools/check_layers.py SOURCE_ROOT

A local header ("x.h") must belong to the file's own layer or to one the
layer may use; a library header (<x.h>) listed in layers.txt only in the
layers named there; a generated header only in the layers named for it
("*": every layer).  Prints each
violation with file and line, exits 1 if there is any.  Standard library
only.
"""
import os
import re
import sys


def load(path):
    layers, order, libs, gens = {}, [], [], {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if line[0] == "lib":
                libs.append((line[1], set(line[2:])))
            elif line[0] == "gen":
                gens[line[1]] = set(line[2:])
            else:
                name, folder, uses = line[0], line[1], line[2:]
                layers[name] = (folder, set(u for u in uses if u != "-"))
                order.append(name)
    return layers, order, libs, gens


def main(root):
    layers, order, libs, gens = load(os.path.join(root, "tests",
                                                  "layers.txt"))
    owner = {}        # header basename -> layer
    files = []
    for name in order:
        folder = os.path.join(root, layers[name][0])
        for entry in sorted(os.listdir(folder)):
            if entry.endswith((".c", ".h")):
                files.append((name, os.path.join(folder, entry)))
                if entry.endswith(".h"):
                    if entry in owner:
                        print("%s: header name used by two layers (%s, %s)"
                              % (entry, owner[entry], name))
                        return 1
                    owner[entry] = name
    bad = 0
    inc = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
    for layer, path in files:
        allowed = layers[layer][1] | {layer}
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                m = inc.match(line)
                if not m:
                    continue
                kind, header = m.groups()
                where = "%s:%d" % (os.path.relpath(path, root), n)
                if header in gens:
                    if "*" not in gens[header] and layer not in gens[header]:
                        print("%s: %s may include %s only in %s" % (
                            where, layer, header, " ".join(
                                sorted(gens[header]))))
                        bad += 1
                    continue
                if kind == '"':
                    if header not in owner:
                        print("%s: %s is no header of any layer" % (where,
                                                                   header))
                        bad += 1
                    elif owner[header] not in allowed:
                        print("%s: layer %s may not include %s (layer %s)"
                              % (where, layer, header, owner[header]))
                        bad += 1
                    continue
                for prefix, users in libs:
                    if header == prefix or (prefix.endswith("/")
                                            and header.startswith(prefix)):
                        if layer not in users:
                            print("%s: layer %s may not include <%s>" % (
                                where, layer, header))
                            bad += 1
    print("check_layers: %d files, %d violations" % (len(files), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
