#!/usr/bin/python3
"""The peer of `earshot classify` in bench/classify: the same file, features
and network with NumPy (features) and PyTorch (network), on one thread.

    /usr/bin/python3 bench/classify/classify_torch.py MODEL.safetensors FB.f32 IN.wav

Reads the WAV (16-bit mono at the model's rate), then NumPy: pre-emphasis
0.97, Hamming frames (symmetric, numpy.hamming), rfft power (next power of
two), the model's learned filterbank matrix (FB.f32, written by
make-bench-model from es_gammatone_fb_get_weights), ln(max(E, 1e-10)) — the
model's front-end layers; then windows of W frames every `window_hop` as
[1, bands, W] images through the model's 2D CNN in torch (its weights read
from the safetensors file), softmax, the mean over windows: the file-level
decision `earshot classify` prints. Prints one JSON line: seconds of each
stage and the total (process start-up and imports not included; the
caller times the whole process too) and the file-level probabilities.
"""
import json
import struct
import sys
import time
import wave

t_start = time.perf_counter()
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.set_num_threads(1)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        assert t["dtype"] == "F32", t
        a, b = t["data_offsets"]
        tensors[name] = torch.from_numpy(
            np.frombuffer(data, dtype="<f4", count=(b - a) // 4, offset=8 + n + a)
            .reshape(t["shape"]).copy())
    return meta, tensors


def build(arch, first_layer, in_channels, tensors):
    """nn.Sequential of the layers after the front-end; parameter names keep
    the model file's indices ("<i>.weight")."""
    mods, channels = {}, in_channels
    for i, layer in enumerate(arch):
        if i < first_layer:
            continue
        t = layer["type"]
        if t == "conv2d":
            m = nn.Conv2d(channels, layer["out_channels"], layer["kernel"],
                          padding=layer.get("padding", 0))
            channels = layer["out_channels"]
        elif t == "batchnorm":
            m = nn.BatchNorm2d(channels)
        elif t == "relu":
            m = nn.ReLU()
        elif t == "maxpool2d":
            m = nn.MaxPool2d(layer["kernel"])
        elif t == "global_avgpool":
            m = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())
        elif t == "dropout":
            m = nn.Dropout(layer.get("p", 0.5))
        elif t == "dense":
            m = nn.Linear(channels, layer["out_features"])
        else:
            raise ValueError(t)
        mods[str(i)] = m
    net = nn.Sequential()
    for name, m in mods.items():
        net.add_module(name, m)
    state = {k: v for k, v in tensors.items() if int(k.split(".")[0]) >= first_layer}
    net.load_state_dict(state, strict=False)
    return net.eval()


def main():
    model_path, fb_path, wav_path = sys.argv[1:4]
    meta, tensors = read_safetensors(model_path)
    arch = json.loads(meta["architecture"])
    fe = json.loads(meta["frontend"])
    k = fe["frontend_layers"]
    bands, rate = fe["bands"], fe["rate"]
    frame, hop = fe["frame_size"], fe["hop_size"]
    n_fft = 1 << (frame - 1).bit_length()
    bins = n_fft // 2 + 1
    W = json.loads(meta["input"])["shape"][0]
    window_hop = fe["window_hop"]
    fb = np.fromfile(fb_path, dtype="<f4").reshape(bands, bins)
    net = build(arch, k, 1, tensors)
    t_ready = time.perf_counter()

    with wave.open(wav_path, "rb") as w:
        assert w.getframerate() == rate and w.getnchannels() == 1 and w.getsampwidth() == 2
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    t_read = time.perf_counter()

    y = np.empty_like(x)
    y[0] = x[0]
    y[1:] = x[1:] - np.float32(0.97) * x[:-1]
    n_frames = 1 + (len(y) - frame) // hop
    window = np.hamming(frame).astype(np.float32)
    feats = np.empty((n_frames, bands), dtype=np.float32)
    block = 4096                 # frames at a time: bounded memory
    for s in range(0, n_frames, block):
        e = min(n_frames, s + block)
        idx = (np.arange(s, e) * hop)[:, None] + np.arange(frame)[None, :]
        power = np.abs(np.fft.rfft(y[idx] * window, n=n_fft, axis=1)) ** 2
        feats[s:e] = power.astype(np.float32) @ fb.T
    np.log(np.maximum(feats, np.float32(1e-10)), out=feats)
    bands_by_time = np.ascontiguousarray(feats.T)          # [bands, frames]
    t_features = time.perf_counter()

    n_windows = (n_frames - W) // window_hop + 1
    starts = np.arange(n_windows) * window_hop
    total = torch.zeros(len(json.loads(meta["labels"])), dtype=torch.float64)
    with torch.no_grad():
        for s in range(0, n_windows, 64):
            chunk = starts[s:s + 64]
            batch = np.stack([bands_by_time[:, a:a + W] for a in chunk])[:, None]
            logits = net(torch.from_numpy(batch))
            total += torch.softmax(logits.double(), dim=1).sum(dim=0)
    probs = (total / n_windows).tolist()
    t_end = time.perf_counter()
    print(json.dumps({"imports_s": t_ready - t_start, "read_s": t_read - t_ready,
                      "features_s": t_features - t_read, "network_s": t_end - t_features,
                      "total_s": t_end - t_ready, "windows": int(n_windows),
                      "probabilities": probs}))


if __name__ == "__main__":
    main()
