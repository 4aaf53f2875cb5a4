#!/usr/bin/env bash
# bench/gpu/run.sh — issue 12's GPU check, for a GPU machine without Go or
# network. Build the binary on a CPU machine first:
#
#   go build -o bench/gpu/gpucheck ./bench/gpu/cmd
#
# then, on the GPU machine, from the repository root:
#
#   bench/gpu/run.sh [path/to/gpucheck]
#
# It (1) finds the CUDA libraries (the driver under its read-only mount,
# cuBLAS/NVRTC from the toolkit or PyTorch's wheels) and says where;
# (2) runs gpucheck: every GPU kernel against the CPU to 1e-4 relative, the
# graph executor on both, and the SimCLR ResNet-18 step (batch 256) in
# images/s; (3) times PyTorch's same step on the same card; (4) prints both
# and their ratio. Logs and JSON go to $OUT (the device tool's folder) or
# $GPU_OUT or /tmp/gossl-gpu. Without a GPU it says so and exits 0.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=${1:-$here/gpucheck}
out=${OUT:-${GPU_OUT:-/tmp/gossl-gpu}}
mkdir -p "$out"
batch=${BATCH:-256}
steps=${STEPS:-20}
t0=$(date +%s)
say() { printf '[run.sh %3ds] %s\n' "$(($(date +%s) - t0))" "$*"; }

if [[ ! -x $bin ]]; then
  say "no gpucheck binary at $bin: build it on a machine with Go: go build -o bench/gpu/gpucheck ./bench/gpu/cmd"
  exit 2
fi

# --- 0. Is there a GPU at all? ---------------------------------------------
if ! command -v nvidia-smi >/dev/null 2>&1 || ! timeout 30 nvidia-smi -L >"$out/nvidia-smi.txt" 2>&1; then
  say "no GPU on this machine (nvidia-smi missing or failing); the figures wait for a GPU machine"
  # The binary must agree, in one line, and exit 3.
  set +e
  timeout 60 "$bin" -skip-step 2>&1 | tee "$out/gpucheck.log"
  rc=${PIPESTATUS[0]}
  set -e
  if [[ $rc -eq 3 ]]; then
    say "gpucheck agrees: no usable GPU (exit 3). Nothing measured."
    exit 0
  fi
  say "gpucheck exited $rc on a machine without a GPU (want 3)"
  exit 1
fi
say "GPU: $(timeout 30 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)"

# --- 1. Where the CUDA libraries are ---------------------------------------
dirs=()
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  [[ -d $d ]] && dirs+=("$d")
done
if command -v ldconfig >/dev/null 2>&1; then
  while read -r p; do dirs+=("$(dirname "$p")"); done < <(ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 |libcublas\.so\.1[23] |libnvrtc\.so\.1[23] /{print $NF}')
fi
# PyTorch's pip wheels keep cuBLAS and NVRTC under site-packages/nvidia/…
pydirs=$(timeout 60 python3 - <<'PY' 2>/dev/null || true
import glob, os, site
found = set()
for root in site.getsitepackages() + [site.getusersitepackages()]:
    for d in glob.glob(os.path.join(root, "nvidia", "**", "lib"), recursive=True):
        if glob.glob(os.path.join(d, "libcublas.so.1*")) or glob.glob(os.path.join(d, "libnvrtc.so.1*")):
            found.add(d)
print(":".join(sorted(found)))
PY
)
libdirs=$(IFS=:; echo "${dirs[*]:-}")
[[ -n $pydirs ]] && libdirs="${libdirs:+$libdirs:}$pydirs"
export GOSSL_CUDA_LIB="${GOSSL_CUDA_LIB:+$GOSSL_CUDA_LIB:}$libdirs"
# NVRTC dlopens its builtins library by name: the loader must find it too.
export LD_LIBRARY_PATH="$GOSSL_CUDA_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export GOSSL_CUDA_CACHE="$out/cuda-cache"
say "GOSSL_CUDA_LIB=$GOSSL_CUDA_LIB"
for lib in libcuda.so.1 libcublas.so.13 libcublas.so.12 libnvrtc.so.13 libnvrtc.so.12; do
  IFS=: read -ra ds <<<"$GOSSL_CUDA_LIB"
  for d in "${ds[@]}"; do
    if [[ -e $d/$lib ]]; then say "  $lib: $d/$lib"; break; fi
  done
done

# --- 2. gossl: kernels, executor, ResNet-18 step ---------------------------
say "gpucheck: kernels vs CPU, executor, ResNet-18 SimCLR step (batch $batch, $steps steps)"
set +e
timeout 240 "$bin" -batch "$batch" -steps "$steps" -warmup 3 -json "$out/gpucheck.json" 2>&1 | tee "$out/gpucheck.log"
grc=${PIPESTATUS[0]}
set -e
case $grc in
  0) say "gpucheck: all checks passed" ;;
  3) say "gpucheck: GPU present but not usable by gossl (reason above)" ;;
  124) say "gpucheck: TIMED OUT after 240 s" ;;
  *) say "gpucheck: FAILED (exit $grc): see above" ;;
esac

# --- 3. PyTorch on the same card --------------------------------------------
say "PyTorch: the same step"
set +e
timeout 150 python3 "$here/torch_step.py" --batch "$batch" --steps "$steps" --warmup 5 --json "$out/torch.json" 2>&1 | tee "$out/torch.log"
trc=${PIPESTATUS[0]}
set -e
[[ $trc -eq 0 ]] || say "torch_step.py: FAILED (exit $trc)"

# --- 4. Summary -------------------------------------------------------------
python3 - "$out" <<'PY' || true
import json, os, sys
out = sys.argv[1]
def load(name):
    try:
        with open(os.path.join(out, name)) as f:
            return json.load(f)
    except Exception:
        return None
g, t = load("gpucheck.json"), load("torch.json")
print("=" * 72)
if g:
    print("device:", g.get("device"))
    n = len(g.get("kernel_checks") or [])
    print(f"kernels: {n - g.get('kernels_failed', 0)} of {n} equal the CPU to 1e-4 relative")
    ex = g.get("executor")
    if ex:
        print(f"executor: loss cpu {ex['LossCPU']:.6f} gpu {ex['LossGPU']:.6f}, max grad rel err {ex['MaxGradRelErr']:.3g}")
gs = (g or {}).get("resnet18_step")
if gs:
    print(f"gossl  ResNet-18 SimCLR step, batch {gs['batch']}: {gs['images_per_s']:.1f} images/s ({gs['ms_per_step']:.1f} ms/step)")
else:
    print("gossl  ResNet-18 SimCLR step: no figure (see gpucheck.log)")
for r in (t or {}).get("runs", []):
    mode = "TF32 allowed" if r["tf32"] else "strict fp32"
    line = f"torch  ResNet-18 SimCLR step ({mode}): {r['images_per_s']:.1f} images/s ({r['ms_per_step']:.1f} ms/step)"
    if gs:
        line += f"   gossl/torch = {gs['images_per_s'] / r['images_per_s']:.2f}x"
    print(line)
print("bar: gossl >= 0.3x PyTorch's images/s on the same card")
PY
say "done; logs in $out"
[[ $grc -eq 0 ]]
