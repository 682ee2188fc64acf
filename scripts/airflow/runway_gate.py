"""The DAGs' branches, without Airflow imports so that check_dag_command.py runs the same
functions: the training DAG's on promote's outcome (promoted), the scoring DAG's on drift's
(retrain_needed; drift, like promote, exits 0 for both answers).

promote exits 0 whether it promoted the candidate or rejected it (a rejection is a normal,
expected outcome, not a failure to retry), and SparkSubmitOperator has no way to map an exit
code to a skip. So the branch reads the decision promote committed: verdict.json in the verdict
directory, whose path the DAG templates for both tasks. A verdict that is missing or not
committed (no manifest.json) raises: the task fails rather than guessing.
"""
import json
from urllib.parse import urlparse


def read_text(uri):
    """The text of a file under a local path, a file: URI, or (inside Airflow) s3a:// or s3://."""
    location = urlparse(uri)
    if location.scheme in ("", "file"):
        with open(location.path, encoding="utf-8") as f:
            return f.read()
    if location.scheme in ("s3a", "s3"):
        # Inside Airflow with the Amazon provider; the connection is the deployment's choice.
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        return S3Hook(aws_conn_id="aws_default").read_key(location.path.lstrip("/"), location.netloc)
    raise ValueError(f"cannot read {uri}: only local paths, file:, s3a: and s3: are supported")


def promoted(verdict_dir, read=read_text):
    """True when the committed verdict in verdict_dir says promote moved the alias."""
    base = verdict_dir.rstrip("/")
    read(base + "/manifest.json")  # committed, or this raises
    verdict = json.loads(read(base + "/verdict.json"))
    decision = verdict["decision"]
    print(f"promote {'moved' if decision.get('promoted') else 'did not move'} the alias:")
    for reason in decision.get("reasons", []):
        print(f"  - {reason}")
    return bool(decision.get("promoted"))


def retrain_needed(drift_dir, read=read_text):
    """True when the committed drift report in drift_dir says the batch calls for a retrain."""
    base = drift_dir.rstrip("/")
    read(base + "/manifest.json")  # committed, or this raises
    verdict = json.loads(read(base + "/drift.json"))["verdict"]
    print(f"drift {'calls for' if verdict.get('retrain') else 'does not call for'} a retrain:")
    for reason in verdict.get("reasons", []):
        print(f"  - {reason}")
    return bool(verdict.get("retrain"))
