"""SIGKILL `annotate` three times at random points, resume each time: nothing lost, nothing doubled."""
import time

from benchmarks.kill_test import run_kill_test


def test_kill_and_resume_200_notes(tmp_path):
    start = time.perf_counter()
    result = run_kill_test(200, tmp_path, kills=3, mode="fork", delay=0.005, batch_size=8, seed=1)
    assert result["checks"] == {name: True for name in result["checks"]}, result
    assert result["records"] == result["unique_ids"] == 200 and result["error_records"] == 6
    kills = [r["records_before_kill"] for r in result["rounds"]]
    assert len(kills) == 3 and all(0 < k < 200 for k in kills)  # each kill landed mid-run
    assert time.perf_counter() - start < 60
