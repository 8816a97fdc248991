#!/usr/bin/python3
"""Compare two safetensors files: are their tensors byte-identical, and
which metadata keys differ?

    scripts/compare-safetensors.py A.safetensors B.safetensors

Prints one line per tensor that differs (name, dtype, shape or bytes), then
each metadata key whose value differs (both values), and exits 0 when every
tensor is identical (metadata may differ), 1 when a tensor differs, 2 on
a file that is not safetensors. Used to show that a change of the metadata
a trainer writes left the trained weights untouched."""
import json
import struct
import sys


def load(path):
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"{path}: shorter than 8 bytes")
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        tensors[name] = (t["dtype"], tuple(t["shape"]), data[begin:end])
    return tensors, meta


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        (ta, ma), (tb, mb) = load(sys.argv[1]), load(sys.argv[2])
    except (OSError, ValueError, KeyError) as e:
        print(f"compare-safetensors: {e}", file=sys.stderr)
        return 2
    differ = 0
    for name in sorted(set(ta) | set(tb)):
        if name not in ta or name not in tb:
            print(f"tensor {name}: only in {'B' if name not in ta else 'A'}")
            differ += 1
        elif ta[name] != tb[name]:
            (da, sa, ba), (db, sb, bb) = ta[name], tb[name]
            what = "dtype" if da != db else "shape" if sa != sb else "bytes"
            print(f"tensor {name}: {what} differ")
            differ += 1
    print(f"{len(ta)} tensors in A, {len(tb)} in B, {differ} differ"
          f"{' (all bytes identical)' if not differ else ''}")
    for key in sorted(set(ma) | set(mb)):
        if ma.get(key) != mb.get(key):
            print(f"metadata {key}:\n  A: {ma.get(key)}\n  B: {mb.get(key)}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
