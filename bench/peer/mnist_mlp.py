#!/usr/bin/env python3
"""The speed peer: the lesson's MNIST MLP trained by a plain, hand-written PyTorch loop.

The same work as the raw TorchSharp loop in bench/Trainwright.Bench (RawLoop.cs): MLP 784-50-10, SGD with momentum
0.9 at lr 0.1, batch 64, randperm + index_select batches, F.cross_entropy, loss.item() per batch, then a validation
pass (loss and accuracy weighted by batch size). Data: the bundled MNIST, first 50,000 training images to train, the
last 10,000 to validate, scaled to [0, 1] and normalised with the training mean and std.

Debian's PyTorch runs matrix products in OpenBLAS's own thread pool, which --threads (torch.set_num_threads) does not
limit: set OPENBLAS_NUM_THREADS too for a truly single-threaded run (the bench does, for its like-for-like row).

Prints one line per round, then a line `median_s_per_epoch <seconds>` that the bench parses.
Run with Debian's python3 (`apt-get install python3-torch libopenblas0-pthread`): /usr/bin/python3 bench/peer/mnist_mlp.py
"""
import argparse
import gzip
import os
import statistics
import struct
import time

import torch
import torch.nn.functional as F


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def load(folder):
    x = read_idx(os.path.join(folder, "train-images-idx3-ubyte.gz")).reshape(60000, -1).float().div_(255)
    y = read_idx(os.path.join(folder, "train-labels-idx1-ubyte.gz")).long()
    x_train, y_train, x_valid, y_valid = x[:50000], y[:50000], x[50000:], y[50000:]
    mean, std = x_train.mean(), x_train.std()
    return (x_train - mean) / std, y_train, (x_valid - mean) / std, y_valid


def one_epoch(model, opt, x_train, y_train, x_valid, y_valid, bs):
    model.train()
    n = x_train.shape[0]
    perm = torch.randperm(n)
    losses = []
    for i in range(0, n, bs):
        idx = perm[i:i + bs]
        xb, yb = x_train.index_select(0, idx), y_train.index_select(0, idx)
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
    model.eval()
    total_loss, total_correct = 0.0, 0.0
    with torch.no_grad():
        for i in range(0, x_valid.shape[0], bs):
            xb, yb = x_valid[i:i + bs], y_valid[i:i + bs]
            pred = model(xb)
            total_loss += F.cross_entropy(pred, yb).item() * xb.shape[0]
            total_correct += (pred.argmax(1) == yb).float().sum().item()
    return total_loss / x_valid.shape[0], total_correct / x_valid.shape[0]


def gemm():
    """Median microseconds of the MLP's two large products at batch 64: the first layer's forward and its weight gradient."""
    x, w, g = torch.randn(64, 784), torch.randn(50, 784), torch.randn(64, 50)
    cases = {"forward": lambda: F.linear(x, w), "weight_grad": lambda: g.t().mm(x)}
    for name, f in cases.items():
        for _ in range(200):
            f()
        rounds = []
        for _ in range(9):
            start = time.perf_counter()
            for _ in range(1000):
                f()
            rounds.append((time.perf_counter() - start) / 1000 * 1e6)
        print(f"gemm_us {name} {statistics.median(rounds):.2f}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(here, "..", "..", "data", "mnist"))
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--bs", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--gemm", action="store_true", help="time the MLP's two large matrix products instead")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.gemm:
        gemm()
        return
    torch.manual_seed(0)
    data = load(args.data)
    times = []
    for r in range(args.rounds):
        model = torch.nn.Sequential(torch.nn.Linear(784, 50), torch.nn.ReLU(), torch.nn.Linear(50, 10))
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        start = time.perf_counter()
        loss, acc = one_epoch(model, opt, *data, args.bs)
        times.append(time.perf_counter() - start)
        print(f"round {r + 1}: {times[-1]:.3f} s, valid loss {loss:.4f}, accuracy {acc:.4f}", flush=True)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    print(f"median_s_per_epoch {statistics.median(times):.4f}")


if __name__ == "__main__":
    main()
