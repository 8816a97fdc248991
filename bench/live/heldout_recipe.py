#!/usr/bin/python3
"""heldout_recipe.py RECIPE OUT_RECIPE HELD_OUT_GROUP

A copy of an `earshot train` recipe that leaves one group of its index out,
so that a model shipped from that recipe can be measured on the held-out
group's clips without having trained on them (bench/live streams are made of
ESC fold 3; models/esc10.recipe trains on folds 1-3). The copy's [data] path
is made absolute (the copy lives elsewhere) and gets
`filter = GROUP_COLUMN:every other group`; everything else is unchanged.
"""
import csv
import os
import re
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[0])
    recipe, out, held_out = sys.argv[1:]
    with open(recipe, encoding="utf-8") as f:
        lines = f.read().splitlines()
    section = None
    data = {}
    for line in lines:
        m = re.match(r"\s*\[([^\]]+)\]", line)
        if m:
            section = m.group(1).strip()
            continue
        m = re.match(r"\s*([A-Za-z_]+)\s*=\s*(.*?)\s*$", line)
        if m and section == "data":
            data[m.group(1)] = m.group(2)
    for key in ("path", "group"):
        if key not in data:
            sys.exit(f"{recipe}: [data] has no {key} (needed to hold a group out)")
    if "filter" in data:
        sys.exit(f"{recipe}: [data] already has a filter; not combining filters")
    index = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(recipe)),
                                          data["path"]))
    with open(index, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    column = data["group"]
    if not rows or column not in rows[0]:
        sys.exit(f"{index}: no column '{column}'")
    groups = sorted({r[column] for r in rows})
    if held_out not in groups:
        sys.exit(f"{index}: no group '{held_out}' in column '{column}' ({', '.join(groups)})")
    keep = [g for g in groups if g != held_out]
    if any("," in g for g in keep):
        sys.exit(f"{index}: a group name holds a comma; a filter cannot list it")

    section = None
    copy = [f"# {os.path.basename(recipe)} with group {held_out} held out "
            f"(bench/live/heldout_recipe.py)"]
    for line in lines:
        m = re.match(r"\s*\[([^\]]+)\]", line)
        if m:
            section = m.group(1).strip()
        elif section == "data" and re.match(r"\s*path\s*=", line):
            copy.append(f"path = {index}")
            copy.append(f"filter = {column}:{','.join(keep)}")
            continue
        copy.append(line)
    if os.path.exists(out):
        sys.exit(f"{out} exists; not overwriting it")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(copy) + "\n")
    n = sum(1 for r in rows if r[column] != held_out)
    print(f"held out {held_out}: training on {n} of {len(rows)} rows ({', '.join(keep)})")


if __name__ == "__main__":
    main()
