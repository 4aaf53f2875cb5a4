#!/bin/sh
# bench/ssl/fmnist: self-supervised training on Fashion-MNIST in sslkit and in
# PyTorch 1.13 (Debian's python3-torch, 2 threads) with one fixed recipe,
# the same number of epochs, in the same run, each side in its own process,
# one after the other (2 cores: running them together would slow both).
# Prints one JSON line per side:
#   {"side":..., "method":..., "knn_top1":..., "linear_top1":..., "epochs":..., "images_per_s":..., ...}
#
# The recipe (written out in full in main.go's header, implemented by main.go
# and torch_side.py):
#   data       Fashion-MNIST, the first 4096 training images (--train);
#              evaluation on those images and the full 10000-image test set
#   backbone   backbone.NewSmallCNN(1, 128): 2×(conv3×3–BN–ReLU–maxpool),
#              Linear(3136→128)–BN–ReLU; PyTorch's default initialisation
#   views      augment.SimCLR(28) / torchvision: RandomResizedCrop(28, (0.08, 1)),
#              flip 0.5, ColorJitter(0.4, 0.4, 0.4, 0.1) p 0.8, grayscale 0.2
#   batch      256 images, 2 views each, shuffled, last partial batch kept
#   simclr     projector 128-128-128, NT-Xent τ 0.5, SGD lr 0.06 momentum 0.9
#              wd 5e-4 (not on biases/BN)
#   barlow     projector 128-512-512-512 (BN, no biases), λ 0.0051, AdamW
#              lr 1e-3 wd 1e-4 (not on biases/BN)
#   schedule   cosine over all steps, no warm-up
#   evaluation backbone features: weighted kNN k=20 T=0.1 (cosine); linear
#              probe: standardised, logistic regression L2 1e-4
#              (sklearn C=1/(1e-4·n)), L-BFGS 100 iterations
#
# Usage: bench/ssl/fmnist/run.sh [--method simclr|barlow] [--epochs N] [--train N] [--seed N] [--batch N]
# The default budget (SimCLR, 4 epochs of 4096 images) takes about 15 minutes
# on an idle 2-core machine.
set -eu
method=simclr epochs=4 train=4096 seed=1 batch=256
while [ $# -gt 0 ]; do
	case "$1" in
	--method) method=$2; shift 2 ;;
	--epochs) epochs=$2; shift 2 ;;
	--train) train=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--batch) batch=$2; shift 2 ;;
	*) echo "usage: $0 [--method simclr|barlow] [--epochs N] [--train N] [--seed N] [--batch N]" >&2; exit 2 ;;
	esac
done
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
python=${PYTHON:-/usr/bin/python3}
bin=$(mktemp -d)/fmnist
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./bench/ssl/fmnist
echo "bench/ssl/fmnist $(date -u '+%Y-%m-%d %H:%M UTC') method=$method epochs=$epochs train=$train seed=$seed batch=$batch load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$bin" -method "$method" -epochs "$epochs" -train "$train" -seed "$seed" -batch "$batch"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$python" bench/ssl/fmnist/torch_side.py --method "$method" --epochs "$epochs" --train "$train" --seed "$seed" --batch "$batch"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
