#!/usr/bin/python3
"""The PyTorch side of bench/nn: the same networks, measurements and epoch as
nn-bench.c, on Debian's python3-torch, then a side-by-side table.

    /usr/bin/python3 bench/nn/nn_bench_torch.py NETS.json EARSHOT_RESULTS
        [--threads N] [--epoch-examples N] [--min-time S] [--peak-gflops G]

EARSHOT_RESULTS holds nn-bench's key=value lines. The architectures are
turned into nn.Sequential with the rules of tests/fixtures/nn/make_nn_fixtures.py.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn

# Same clock as nn-bench.c: process CPU time with one thread, wall time otherwise.
clock = time.perf_counter


def build(arch, in_shape):
    mods, shape = [], list(in_shape)
    for layer in arch:
        t = layer["type"]
        if t in ("conv1d", "conv2d"):
            conv = nn.Conv1d if t == "conv1d" else nn.Conv2d
            m = conv(shape[0], layer["out_channels"], layer["kernel"],
                     stride=layer.get("stride", 1), padding=layer.get("padding", 0),
                     bias=layer.get("bias", True))
        elif t == "batchnorm":
            m = (nn.BatchNorm2d if len(shape) == 3 else nn.BatchNorm1d)(shape[0])
        elif t == "relu":
            m = nn.ReLU()
        elif t == "tanh":
            m = nn.Tanh()
        elif t == "softplus":
            m = nn.Softplus()
        elif t in ("maxpool1d", "maxpool2d"):
            pool = nn.MaxPool1d if t == "maxpool1d" else nn.MaxPool2d
            m = pool(layer["kernel"], layer.get("stride", layer["kernel"]))
        elif t == "flatten":
            m = nn.Flatten()
        elif t == "dense":
            m = nn.Linear(shape[0], layer["out_features"])
        elif t == "dropout":
            m = nn.Dropout(layer.get("p", 0.5))
        else:
            raise ValueError(t)
        mods.append(m)
        with torch.no_grad():
            shape = list(nn.Sequential(*mods)(torch.zeros([2] + list(in_shape))).shape[1:])
    return nn.Sequential(*mods)


def bench(name, spec, epoch_examples, min_time):
    torch.manual_seed(1)
    net = build(spec["arch"], spec["input"])
    x = torch.rand([max(64, epoch_examples)] + spec["input"]) * 2 - 1
    y = torch.arange(epoch_examples) % spec["classes"]
    net.eval()
    with torch.no_grad():
        for _ in range(3):
            net(x[:1])
        times, t0 = [], clock()
        while len(times) < 2001 and (len(times) < 5 or clock() - t0 < min_time):
            t = clock()
            net(x[:1])
            times.append(clock() - t)
        latency = statistics.median(times)
        net(x[:64])
        done, t0 = 0, clock()
        while True:
            net(x[:64])
            done += 64
            if clock() - t0 >= min_time and done >= 192:
                break
        throughput = done / (clock() - t0)
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    loss_fn(net(x[:32]), y[:32]).backward()
    opt.zero_grad()
    t0 = clock()
    for b0 in range(0, epoch_examples - 31, 32):
        opt.zero_grad()
        loss_fn(net(x[b0:b0 + 32]), y[b0:b0 + 32]).backward()
        opt.step()
    epoch = clock() - t0
    return dict(latency_ms=latency * 1e3, throughput=throughput, epoch_s=epoch)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("nets")
    ap.add_argument("earshot_results")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epoch-examples", type=int, default=1024)
    ap.add_argument("--min-time", type=float, default=1.0)
    ap.add_argument("--peak-gflops", type=float, default=0.0)
    a = ap.parse_args()
    global clock
    torch.set_num_threads(a.threads)
    if a.threads == 1:
        clock = time.process_time
    with open(a.nets) as f:
        nets = json.load(f)
    ours = {}
    with open(a.earshot_results) as f:
        for line in f:
            kv = dict(p.split("=", 1) for p in line.split())
            ours[kv["net"]] = kv
    print("threads %d, epoch = %d examples in batches of 32 (forward, cross-entropy, "
          "backward, Adam); torch %s" % (a.threads, a.epoch_examples, torch.__version__))
    hdr = "%-8s %-8s %12s %14s %10s %12s" % ("net", "engine", "b1 latency", "b64 ex/s",
                                            "epoch s", "b64 GFLOP/s")
    print(hdr)
    print("-" * len(hdr))
    for name, spec in nets.items():
        if name not in ours:
            continue
        e = ours[name]
        flops = float(e["flops"])
        t = bench(name, spec, a.epoch_examples, a.min_time)
        el, et, ee = float(e["latency_ms"]), float(e["throughput"]), float(e["epoch_s"])
        for engine, lat, thr, ep in (("earshot", el, et, ee),
                                     ("torch", t["latency_ms"], t["throughput"], t["epoch_s"])):
            g = flops * thr / 1e9
            peak = " (%.0f %% of peak)" % (100 * g / a.peak_gflops) if a.peak_gflops else ""
            print("%-8s %-8s %9.3f ms %14.1f %10.3f %12.2f%s" % (name, engine, lat, thr, ep,
                                                                  g, peak))
        print("%-8s %-8s %11.2fx %13.2fx %9.2fx   (earshot / torch: latency <= 0.5, "
              "throughput >= 1, epoch <= 1 is the target)" % (
                  name, "ratio", el / t["latency_ms"], et / t["throughput"],
                  ee / t["epoch_s"]))
        print("%-8s forward %.1f MFLOP/example, earshot batch-1 %.2f GFLOP/s" % (
            name, flops / 1e6, flops / (el / 1e3) / 1e9))


if __name__ == "__main__":
    main()
