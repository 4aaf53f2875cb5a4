"""Writes toolbox_reference.json: benchmark, per-dataset, per-condition and
shape-bias values computed by the published model-vs-human toolbox's own
analysis code, for sslkit/mvh's tests to match.

Usage (Debian: apt install python3-pandas python3-matplotlib):
  git clone https://github.com/bethgelab/model-vs-human  # commit 79ed7cd
  /usr/bin/python3 gen_toolbox_reference.py MODEL_VS_HUMAN_CHECKOUT DATA_DIR toolbox_reference.json
DATA_DIR holds raw-data/ and raw-data-extra/ (the folders packed into
../data/model-vs-human.tar.gz). The toolbox reads one raw-data/ folder, so the
script links both into a temporary one. Only the toolbox's plotting and
helper modules are imported; the packages they would pull in for model
evaluation (torch, seaborn, tqdm) are replaced by empty stand-ins.
"""
import json, os, sys, tempfile, types, warnings

warnings.filterwarnings("ignore")
checkout, data_dir, out_path = sys.argv[1:4]

work = tempfile.mkdtemp()
raw = os.path.join(work, "raw-data")
for part in ("raw-data", "raw-data-extra"):
    for dataset in sorted(os.listdir(os.path.join(data_dir, part))):
        src = os.path.join(data_dir, part, dataset)
        if dataset == "performances" or not os.path.isdir(src):
            continue
        os.makedirs(os.path.join(raw, dataset), exist_ok=True)
        for f in os.listdir(src):
            os.symlink(os.path.join(src, f), os.path.join(raw, dataset, f))
os.environ["MODELVSHUMANDIR"] = work

import matplotlib
matplotlib.use("Agg")

# Stand-ins for what the plotting modules import but these analyses never use.
sys.modules["seaborn"] = types.ModuleType("seaborn")
tq = types.ModuleType("tqdm")
tq.tqdm = lambda x, *a, **k: x
sys.modules["tqdm"] = tq
pkg = types.ModuleType("modelvshuman")
pkg.__path__ = [os.path.join(checkout, "modelvshuman")]
sys.modules["modelvshuman"] = pkg
dpkg = types.ModuleType("modelvshuman.datasets")
dpkg.__path__ = [os.path.join(checkout, "modelvshuman", "datasets")]
sys.modules["modelvshuman.datasets"] = dpkg
utils = types.ModuleType("modelvshuman.utils")
utils.load_dataset = None
sys.modules["modelvshuman.utils"] = utils

from modelvshuman import constants as c
from modelvshuman.plotting import plot as P, analyses as A
from modelvshuman.plotting.decision_makers import DecisionMaker
from modelvshuman.datasets.experiments import get_experiments
from modelvshuman.helper import plotting_helper as ph


def decision_makers(df):
    """Every model on its own, and all participants as "humans"."""
    out = [DecisionMaker(name_pattern=m, df=df, plotting_name=m)
           for m in sorted(df.subj.unique()) if not m.startswith("subject-")]
    out.append(DecisionMaker(name_pattern="subject-*", df=df, plotting_name="humans"))
    return out


res = {}
metrics = ["accuracy difference", "observed consistency", "error consistency"]
datasets = get_experiments(c.DEFAULT_DATASETS)
rawdf = P.get_raw_benchmark_df(datasets=datasets, metric_names=metrics, decision_maker_fun=decision_makers)

# Per dataset: the toolbox's format_benchmark_df averaging, stopped before
# the mean over datasets.
r = rawdf.copy()
r["is_human"] = r["model"].str.startswith("subject-")
g = r.groupby(["model", "human", "dataset", "metric", "is_human"], as_index=False)["value"].mean()
per = {}
for _, row in g[~g.is_human].groupby(["model", "dataset", "metric"], as_index=False)["value"].mean().iterrows():
    per.setdefault(row.model, {}).setdefault(row.dataset, {})[row.metric] = row.value
for _, row in g[g.is_human].groupby(["dataset", "metric"], as_index=False)["value"].mean().iterrows():
    per.setdefault("humans", {}).setdefault(row.dataset, {})[row.metric] = row.value
res["per_dataset"] = per

table = P.format_benchmark_df(df=rawdf.copy(), decision_makers=decision_makers(ph.get_experimental_data(datasets[0])),
                              metric_names=metrics, include_humans=True)
res["benchmark"] = {row["plotting_name"]: {m: row[m] for m in metrics} for _, row in table.iterrows()}
ood = P.get_mean_over_datasets(colname="OOD accuracy", metric_fun=A.SixteenClassAccuracy(),
                               metric_name="16-class-accuracy", datasets=get_experiments(c.DEFAULT_DATASETS),
                               decision_maker_fun=decision_makers)
for _, row in ood.iterrows():
    res["benchmark"].setdefault(row["plotting_name"], {})["OOD accuracy"] = row["OOD accuracy"]

acc, ec = {}, {}
for d in get_experiments(c.NOISE_GENERALISATION_DATASETS):
    df = ph.get_experimental_data(d)
    e = d.experiments[0]
    for _, row in A.SixteenClassAccuracy().get_result_df(df, decision_makers(df), e).iterrows():
        acc.setdefault(row["subj"], {}).setdefault(d.name, {})[row["condition"]] = row["yvalue"]
    for _, row in A.ErrorConsistency().get_result_df(df, decision_makers(df), e).iterrows():
        ec.setdefault(row["subj"], {}).setdefault(d.name, {})[row["condition"]] = row["yvalue"]
res["condition_accuracy"] = acc
res["condition_error_consistency"] = ec

sb = {}
df = ph.get_experimental_data(get_experiments(["cue-conflict"])[0])
for dm in decision_makers(df):
    sb[dm.plotting_name] = A.ShapeBias().analysis(df.loc[df["subj"].isin(dm.decision_makers)])["shape-bias"]
res["shape_bias"] = sb
res["source"] = "bethgelab/model-vs-human modelvshuman/plotting (commit 79ed7cd) run by gen_toolbox_reference.py"

with open(out_path, "w") as f:
    json.dump(res, f, indent=1, sort_keys=True)
print("wrote", out_path)
