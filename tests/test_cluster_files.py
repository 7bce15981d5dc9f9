"""The files for running kgan on cluster managers (examples/cluster): read as their engines read them.

Neither Kubernetes nor Ray runs in CI: the TFJob manifest is checked against the fields of the
Kubeflow Training Operator's TFJob v1 that it relies on, and the command it runs is parsed by this
version's `kgan train`; the Ray example is checked to be Python that hands `kgan train` its options
with `--distribute multi-worker` (it was run with Ray 2.60 once, docs/distributed.md)."""

import ast
import os

import yaml

import kgan_cli.parser

CLUSTER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples", "cluster")


def test_the_tfjob_manifest_is_a_tfjob_v1_whose_workers_run_a_valid_kgan_train():
    with open(os.path.join(CLUSTER, "tfjob.yaml")) as f:
        (job,) = list(yaml.safe_load_all(f))
    assert (job["apiVersion"], job["kind"]) == ("kubeflow.org/v1", "TFJob")
    assert job["metadata"]["name"]
    specs = job["spec"]["tfReplicaSpecs"]
    assert set(specs) <= {"Chief", "Worker", "PS", "Evaluator", "Master"} and "Worker" in specs
    worker = specs["Worker"]
    assert isinstance(worker["replicas"], int) and worker["replicas"] >= 2
    # A lost worker makes the others exit with code 1: each pod must restart on failure.
    assert worker["restartPolicy"] in ("OnFailure", "ExitCode", "Always")
    (container,) = worker["template"]["spec"]["containers"]
    assert container["name"] == "tensorflow"  # the container the operator sets TF_CONFIG for
    args = kgan_cli.parser.build_parser().parse_args(container["args"])
    assert args.command == "train" and args.distribute in ("auto", "multi-worker")
    # The run folder and the data are on the volume every pod mounts.
    (mount,) = container["volumeMounts"]
    volumes = {volume["name"]: volume for volume in worker["template"]["spec"]["volumes"]}
    assert mount["name"] in volumes and "persistentVolumeClaim" in volumes[mount["name"]]
    assert args.run_dir.startswith(mount["mountPath"]) and args.tfrecords.startswith(mount["mountPath"])
    with open(os.path.join(CLUSTER, "Dockerfile")) as f:
        assert 'ENTRYPOINT ["kgan"]' in f.read()  # the manifest's args follow the image's `kgan`


def test_the_ray_example_runs_kgan_train_on_every_worker_of_a_tensorflow_trainer():
    with open(os.path.join(CLUSTER, "ray_train.py")) as f:
        tree = ast.parse(f.read())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert {"TensorflowTrainer", "ScalingConfig", "FailureConfig"} <= imported
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert {"train", "--distribute", "multi-worker"} <= strings
