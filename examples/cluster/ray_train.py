"""`kgan train` on a Ray cluster with Ray Train's TensorflowTrainer.

Ray starts one worker process per slot, sets TF_CONFIG in each (Ray Train's TensorFlow backend),
and when a worker fails restarts the whole group, up to --max-failures times; every worker runs
`kgan train --distribute multi-worker` with the same options, so the restarted group continues
from the run's last backup (docs/distributed.md). The run folder must be on storage every
worker sees (on one machine any folder is).

    pip install "kgan[ray]"
    python examples/cluster/ray_train.py --workers 2 -- --dataset mnist --data-dir ../shared/data/mnist \
        --epochs 1 --run-dir /shared/runs/ray_mnist

Everything after `--` is `kgan train`'s options. On a running cluster, set RAY_ADDRESS (or run it
with `ray job submit -- python examples/cluster/ray_train.py ...`).
"""

from __future__ import annotations

import argparse
import os

from ray.train import FailureConfig, RunConfig, ScalingConfig
from ray.train.tensorflow import TensorflowTrainer


def train_loop_per_worker(config):
    """One worker: `kgan train` in this process, TF_CONFIG already set by Ray."""
    import kgan_cli

    code = kgan_cli.main(["train", "--distribute", "multi-worker", *config["options"]])
    if code:
        raise RuntimeError(f"kgan train ended with exit code {code}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default: 2)")
    parser.add_argument("--gpu", action="store_true", help="give each worker one GPU")
    parser.add_argument("--max-failures", type=int, default=3, help="group restarts allowed (default: 3)")
    parser.add_argument("options", nargs=argparse.REMAINDER, help="-- then kgan train's options")
    args = parser.parse_args()
    options = args.options[1:] if args.options[:1] == ["--"] else args.options
    trainer = TensorflowTrainer(
        train_loop_per_worker,
        train_loop_config={"options": options},
        scaling_config=ScalingConfig(num_workers=args.workers, use_gpu=args.gpu),
        run_config=RunConfig(
            name="kgan",
            storage_path=os.path.abspath("ray_results"),
            failure_config=FailureConfig(max_failures=args.max_failures),
        ),
    )
    trainer.fit()


if __name__ == "__main__":
    main()
