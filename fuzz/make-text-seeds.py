#!/usr/bin/python3
"""Write the seed corpora of fuzz-frcsv (fuzz/corpus-frcsv/) and fuzz-recipe
(fuzz/corpus-recipe/) from files in the tree and hand-made cases: each
accepted layout of a measurement (squig.link, AutoEq, REW, decimal comma, tab,
blanks, BOM, CRLF, comments) and the ways they go wrong; every shipped and
test recipe and the recipe tests' malformed cases. A measurement seed starts
with one byte that picks the limits the target parses with (see
fuzz-frcsv.c). No packages needed."""
import glob
import math
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def curve(n=40, sep=",", fmt="{:.4f}", f0=20.0, f1=20000.0):
    rows = []
    for i in range(n):
        f = f0 * (f1 / f0) ** (i / (n - 1))
        rows.append(fmt.format(f) + sep + fmt.format(90 + 5 * math.sin(i / 5)))
    return rows


def frcsv():
    out = os.path.join(HERE, "corpus-frcsv")
    seeds = {}
    with open(os.path.join(ROOT, "samples", "iem-sample.csv"), "rb") as f:
        seeds["sample"] = (1, f.read())
    seeds["autoeq"] = (1, ("frequency,raw,smoothed,error\n" + "\n".join(
        r + ",1,2" for r in curve())).encode())
    seeds["squig"] = (0, "\n".join(curve(30, " ")).encode())
    seeds["rew"] = (1, ("* Measurement data measured by REW\n* Freq(Hz), SPL(dB), Phase(degrees)\n"
                        + "\n".join(r.replace(",", " ") + " 0.0" for r in curve())).encode())
    seeds["semicolon"] = (2, ("Frequency;SPL\n" + "\n".join(
        r.replace(",", ";").replace(".", ",") for r in curve())).encode())
    seeds["tab-crlf-bom"] = (1, ("\ufeffFreq\tdB\r\n" + "\r\n".join(
        r.replace(",", "\t") for r in curve())).encode())
    seeds["pipes-comments"] = (0, ("// exported\n# by hand\nx|y\n" + "\n".join(
        r.replace(",", "|") for r in curve(12))).encode())
    seeds["level-first"] = (0, ("SPL,Frequency\n" + "\n".join(
        ",".join(reversed(r.split(","))) for r in curve(12))).encode())
    seeds["quoted"] = (0, ('"frequency","raw"\n' + "\n".join(
        '"' + r.replace(",", '","') + '"' for r in curve(12))).encode())
    seeds["exponents"] = (3, "\n".join(curve(12, ",", "{:.6e}")).encode())
    seeds["nan"] = (0, b"frequency,raw\n20,1\n30,nan\n40,inf\n")
    seeds["duplicate"] = (0, b"frequency,raw\n20,1\n30,2\n30,3\n")
    seeds["decreasing"] = (0, b"frequency,raw\n20,1\n10,2\n")
    seeds["nul"] = (0, b"frequency,raw\n20,1\x0030,2\n")
    seeds["huge"] = (0, b"frequency,raw\n" + b"".join(
        b"%d,1e308\n" % (20 + i) for i in range(12)))
    seeds["short-row"] = (0, b"frequency,raw\n20\n")
    seeds["title-then-header"] = (1, ("My IEM\nfrequency,raw\n" + "\n".join(curve())).encode())
    seeds["narrow"] = (1, "\n".join(curve(20, ",", "{:.2f}", 100, 10000)).encode())
    for name, (limits, data) in seeds.items():
        write(out, name + ".csv", bytes([limits]) + data)
    return len(seeds)


def recipe():
    out = os.path.join(HERE, "corpus-recipe")
    n = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "models", "*.recipe"))
                       + glob.glob(os.path.join(ROOT, "recipes", "*.recipe"))
                       + glob.glob(os.path.join(ROOT, "tests", "fixtures", "train", "*.recipe"))):
        with open(path, "rb") as f:
            write(out, os.path.basename(path), f.read())
        n += 1
    # the C string literals of tests/train/test-recipe.c: the good recipe and
    # every malformed case
    with open(os.path.join(ROOT, "tests", "train", "test-recipe.c")) as f:
        source = f.read()
    for i, m in enumerate(re.finditer(r'\{\s*((?:"(?:[^"\\]|\\.)*"\s*)+),', source)):
        text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
        text = text.encode().decode("unicode_escape").encode("latin-1")
        if b"[" in text:
            write(out, "test-recipe-%02d.recipe" % i, text)
            n += 1
    good = re.search(r'#define GOOD_RECIPE \\\n((?:\s*".*" \\?\n)+)', source)
    text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', good.group(1)))
    write(out, "good.recipe", text.encode().decode("unicode_escape").encode("latin-1"))
    write(out, "inline-architecture.recipe",
          b'[data]\nkind = iem-graph\npath = d\nwidth = 32\nheight = 16\nlook = varied\n'
          b'[augment]\nprobability = 0.5\nlooks = 0.3\noffset_db = 2\n[model]\nname = x\n'
          b'architecture = [{"type":"conv2d","out":4,"kernel":3},{"type":"relu"},'
          b'{"type":"flatten"},{"type":"dense","out":4}]\ninput_shape = 1,16,32\n')
    return n + 2


if __name__ == "__main__":
    print("frcsv seeds:", frcsv())
    print("recipe seeds:", recipe())
