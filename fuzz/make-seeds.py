#!/usr/bin/python3
"""Write the seed corpus of fuzz-safetensors / fuzz-model into fuzz/corpus/.
Includes the shapes of huggingface/safetensors' attacks/ (oversized N, huge
header, many overlapping tensors), scaled down to the fuzzer's input size."""
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")


def image(header, data=b"", n=None):
    if isinstance(header, dict):
        header = json.dumps(header, separators=(",", ":"))
    if isinstance(header, str):
        header = header.encode("utf-8")
    return struct.pack("<Q", len(header) if n is None else n) + header + data


def entry(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {}
    seeds["good"] = image({"a": entry("F32", [2], 0, 8), "b": entry("F16", [2], 8, 12)},
                          b"\0\0\x80?\0\0\0@\0<\0\xc0")
    seeds["metadata"] = image({"__metadata__": {"format": "pt", "k": "v"},
                               "w": entry("BF16", [1, 2], 0, 4), "s": entry("F32", [], 4, 8)},
                              b"\x80?\0@\0\0\x80?")
    seeds["padded"] = image(" {\"x\":" + json.dumps(entry("I64", [1], 0, 8)) + "}    ", b"\1" * 8)
    seeds["empty"] = image("{}")
    seeds["zero-size"] = image({"z": entry("F32", [0, 3], 0, 0), "y": entry("U8", [1], 0, 1)}, b"\7")
    seeds["subbyte"] = image({"q": entry("F4", [4], 0, 2)}, b"\x12\x34")
    # attacks/safetensors_abuse_attempt_1: N far larger than the file
    seeds["attack-oversized-n"] = image({"a": entry("F32", [1], 0, 4)}, b"\0" * 4, n=2 ** 63)
    # attack 2: a header that claims 100 MB (the limit) in a tiny file
    seeds["attack-huge-header"] = image("{" + " " * 64 + "}", n=100_000_000)
    # attack 3: many tensors on the same bytes
    seeds["attack-overlap"] = image({"t%d" % i: entry("F32", [1], 0, 4) for i in range(100)},
                                    b"\0" * 4)
    seeds["duplicate"] = image('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                               '"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', b"\0" * 4)
    seeds["deep"] = image("{\"a\":" + "[" * 64 + "]" * 64 + "}")
    seeds["overflow-shape"] = image({"a": entry("F64", [2 ** 62, 4], 0, 8)}, b"\0" * 8)
    # a complete earshot model (dense 2 -> 2), for fuzz-model
    arch = [{"type": "dense", "out_features": 2}]
    meta = {"format": "earshot-model", "format_version": "1", "name": "seed", "task": "seed",
            "architecture": json.dumps(arch),
            "input": json.dumps({"kind": "features", "shape": [2], "media": "x"}),
            "labels": json.dumps(["a", "b"]), "frontend": "{}"}
    seeds["model"] = image({"__metadata__": meta, "0.weight": entry("F32", [2, 2], 0, 16),
                            "0.bias": entry("F32", [2], 16, 24)}, b"\0\0\x80?" * 6)
    for name, data in seeds.items():
        with open(os.path.join(OUT, name + ".safetensors"), "wb") as f:
            f.write(data)
    fixtures = os.path.join(HERE, "..", "tests", "fixtures", "model")
    for name in ("python-unaligned.safetensors", "tiny-model.safetensors",
                 "tiny-model-f16.safetensors"):
        shutil.copy(os.path.join(fixtures, name), os.path.join(OUT, name))


if __name__ == "__main__":
    main()
