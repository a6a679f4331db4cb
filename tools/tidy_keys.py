#!/usr/bin/env python3
"""Keys of clang-tidy's verdict on each source and header, for tools/tidy-changed.sh.

A file's key is the SHA-1 of its content, of every project header it includes (directly or
through other headers, each with its path), of .clang-tidy and of the clangd version: a
verdict recorded under that key still holds while none of them changes.

  tools/tidy_keys.py                      # "KEY PATH" for every file (the record)
  tools/tidy_keys.py --missing LIST       # the files whose key LIST does not hold
"""

import hashlib
import os
import re
import subprocess
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.MULTILINE)
# Where a quoted include is looked up after the including file's own folder, as the build's
# include paths (CMakeLists.txt) give them.
SEARCH = ["include", "sim", "models", "tests"]


def tracked_files():
    out = subprocess.run(["git", "ls-files", "*.cpp", "*.hpp"], check=True,
                         capture_output=True, text=True).stdout
    return sorted(line for line in out.splitlines() if line)


def clangd_version():
    try:
        out = subprocess.run(["clangd", "--version"], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return ""
    return out.splitlines()[0] if out else ""


def main():
    files = tracked_files()
    known = set(files)
    text = {}
    for f in files:
        with open(f, "rb") as h:
            text[f] = h.read()

    def direct(f):
        found = []
        for name in INCLUDE.findall(text[f].decode("utf-8", "replace")):
            for base in [os.path.dirname(f)] + SEARCH:
                path = os.path.normpath(os.path.join(base, name))
                if path in known:
                    found.append(path)
                    break
        return found

    includes = {f: direct(f) for f in files}

    def closure(f):
        seen, todo = set(), list(includes[f])
        while todo:
            h = todo.pop()
            if h not in seen:
                seen.add(h)
                todo.extend(includes[h])
        seen.discard(f)
        return sorted(seen)

    with open(".clang-tidy", "rb") as h:
        config = h.read()
    version = (clangd_version() + "\n").encode()

    keys = {}
    for f in files:
        sha = hashlib.sha1()
        sha.update(text[f])
        for h in closure(f):
            sha.update(b"\0" + h.encode() + b"\0" + text[h])
        sha.update(config)
        sha.update(version)
        keys[f] = sha.hexdigest()

    if len(sys.argv) == 3 and sys.argv[1] == "--missing":
        try:
            with open(sys.argv[2]) as h:
                passed = set(line.strip() for line in h)
        except FileNotFoundError:
            passed = set()
        for f in files:
            if f"{keys[f]} {f}" not in passed:
                print(f)
    elif len(sys.argv) == 1:
        for f in files:
            print(f"{keys[f]} {f}")
    else:
        sys.exit("usage: tools/tidy_keys.py [--missing LIST]")


if __name__ == "__main__":
    main()
