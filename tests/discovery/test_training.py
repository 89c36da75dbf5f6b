"""Engineering: SIGKILL + resume is bit-for-bit; 2-process DDP (gloo, CPU) equals one process; YAML configs."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

REPO = Path(__file__).resolve().parents[2]

SETUP = textwrap.dedent("""
    import sys, numpy as np, torch
    torch.set_num_threads(1)
    from altermag.structures import list_references, load_reference, reference_info
    from altermag.discovery.graphs import build_graphs
    from altermag.discovery.classifier import TrainConfig, train_classifier
    from altermag.discovery.nwr_gae import PretrainConfig, pretrain
    names = list_references()
    graphs = build_graphs([load_reference(n) for n in names], progress_bar=False)
    labels = np.array([1 if reference_info(n).get("role") == "positive" else 0 for n in names])
""")

RESUME_CFG = dict(hidden=8, mlp_hidden=8, epochs=8, batch_size=4, lr=3e-3, seed=11, checkpoint_every=2,
                  patience=0, val_fraction=0.25, threads=1)


def _env():
    env = dict(os.environ, OMP_NUM_THREADS="1", ALTERMAG_NO_PROGRESS="1")
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _state(path):
    return torch.load(path, map_location="cpu", weights_only=True)["state_dict"]


@pytest.mark.slow  # ≈15-30 s here (a subprocess importing torch); the in-process kill/resume test is in test_cli_discover
def test_sigkill_then_resume_gives_identical_weights(tmp_path):
    from altermag.discovery.classifier import TrainConfig, train_classifier
    from altermag.discovery.graphs import build_graphs
    from altermag.structures import list_references, load_reference, reference_info

    run = tmp_path / "killed"
    script = tmp_path / "run.py"
    script.write_text(SETUP + f"train_classifier(graphs, labels, TrainConfig(**{RESUME_CFG!r}), groups=names, "
                      f"out_dir={str(run)!r}, resume=True)\n")
    proc = subprocess.Popen([sys.executable, str(script)], env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    ck = run / "checkpoint.pt"
    t0 = time.time()
    versions = set()
    while len(versions) < 6 and proc.poll() is None and time.time() - t0 < 300:
        try:  # every checkpoint is a new file renamed into place: count the versions seen
            st = os.stat(ck)
            versions.add((st.st_ino, st.st_mtime_ns))
        except FileNotFoundError:
            pass
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)  # several checkpoints in, mid-run
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()[-2000:]
    saved = torch.load(ck, weights_only=False)
    assert not saved["finished"], "the run finished before it was killed: make it longer"
    assert not (run / "model.pt").exists()

    torch.set_num_threads(1)
    names = list_references()
    graphs = build_graphs([load_reference(n) for n in names], progress_bar=False)
    labels = np.array([1 if reference_info(n).get("role") == "positive" else 0 for n in names])
    resumed = train_classifier(graphs, labels, TrainConfig(**RESUME_CFG), groups=names, out_dir=run, resume=True)
    fresh = train_classifier(graphs, labels, TrainConfig(**RESUME_CFG), groups=names, out_dir=tmp_path / "fresh")
    a, b = resumed.net.state_dict(), fresh.net.state_dict()
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k
    assert resumed.temperature == fresh.temperature
    assert len(resumed.info["history"]) == RESUME_CFG["epochs"]
    assert [h["loss"] for h in resumed.info["history"]] == pytest.approx([h["loss"] for h in fresh.info["history"]],
                                                                         rel=1e-12)
    cfg = yaml.safe_load((run / "config.yaml").read_text())
    assert cfg["train"]["seed"] == 11 and cfg["loop"]["checkpoint_every"] == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


DDP_PRE = dict(hidden=12, epochs=2, batch_size=8, lr=2e-3, seed=5, threads=1)
DDP_FT = dict(hidden=12, mlp_hidden=12, epochs=3, batch_size=8, lr=2e-3, seed=5, patience=0, val_fraction=0.25,
              threads=1)


@pytest.mark.slow
def test_ddp_two_gloo_processes_match_single_process(tmp_path):
    """torch.distributed with 2 CPU processes (gloo): same weights as 1 process (float32 sum-order tolerance)."""
    script = tmp_path / "ddp.py"
    script.write_text(SETUP + textwrap.dedent(f"""
        out = sys.argv[1]
        enc, _ = pretrain(graphs, PretrainConfig(**{DDP_PRE!r}), out_dir=out + "/pre")
        train_classifier(graphs, labels, TrainConfig(**{DDP_FT!r}), encoder=enc, groups=names, out_dir=out + "/ft")
    """))
    port = _free_port()
    procs = []
    for rank in range(2):
        env = _env()
        env.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2", MASTER_ADDR="127.0.0.1",
                   MASTER_PORT=str(port))
        procs.append(subprocess.Popen([sys.executable, str(script), str(tmp_path / "ddp")], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()[-3000:]
    from altermag.discovery.classifier import TrainConfig, train_classifier
    from altermag.discovery.graphs import build_graphs
    from altermag.discovery.nwr_gae import PretrainConfig, load_encoder, pretrain
    from altermag.structures import list_references, load_reference, reference_info

    torch.set_num_threads(1)
    names = list_references()
    graphs = build_graphs([load_reference(n) for n in names], progress_bar=False)
    labels = np.array([1 if reference_info(n).get("role") == "positive" else 0 for n in names])
    enc, hist = pretrain(graphs, PretrainConfig(**DDP_PRE))
    enc_ddp = load_encoder(tmp_path / "ddp" / "pre" / "encoder.pt")
    for k, v in enc.state_dict().items():
        torch.testing.assert_close(enc_ddp.state_dict()[k], v, rtol=1e-4, atol=1e-5)
    clf = train_classifier(graphs, labels, TrainConfig(**DDP_FT), encoder=enc, groups=names)
    ddp_state = _state(tmp_path / "ddp" / "ft" / "model.pt")
    for k, v in clf.net.state_dict().items():
        torch.testing.assert_close(ddp_state[k], v, rtol=1e-4, atol=1e-5)
    cfg = yaml.safe_load((tmp_path / "ddp" / "pre" / "config.yaml").read_text())
    assert cfg["world_size"] == 2


def test_epoch_order_is_a_function_of_seed_and_epoch():
    from altermag.discovery.training import epoch_order

    items = np.arange(50)
    a = epoch_order(items, 3, 7)
    assert np.array_equal(a, epoch_order(items, 3, 7))
    assert not np.array_equal(a, epoch_order(items, 3, 8))
    assert sorted(a.tolist()) == items.tolist()


