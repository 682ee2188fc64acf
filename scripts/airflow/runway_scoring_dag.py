"""Airflow DAG (Airflow 2.4+): score each data interval's input with a committed runway run, and
check the same input for drift against the data that run was trained on; when drift calls for a
retrain, trigger the training DAG (which promotes the new run only if it beats the champion).

Everything passed to spark-submit lives in runway_scoring.json next to this file, so that
check_dag_command.py can render it and run it for real without Airflow installed.
"""
import json
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow import DAG
from airflow.operators.python import ShortCircuitOperator
from airflow.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

from runway_gate import retrain_needed

SPEC = json.loads(Path(__file__).with_name("runway_scoring.json").read_text())

with DAG(
    dag_id=SPEC["dag_id"],
    schedule=SPEC["schedule"],
    start_date=pendulum.parse(SPEC["start_date"]),
    catchup=SPEC["catchup"],
    # Retries are safe because the output is one directory per data interval and score commits
    # it with a manifest written last: a retry of a score that had committed is a no-op that
    # exits 0 ("already-committed"); an output left half-written by a dead attempt has no
    # manifest, so the next attempt removes it and scores again. A retry also covers an input
    # that lands late (a missing input fails with exit 3 naming the path).
    default_args={
        "retries": SPEC["retries"],
        "retry_delay": timedelta(seconds=SPEC["retry_delay_seconds"]),
    },
    tags=["runway", "spark"],
) as dag:
    # The task's JSON entry is exactly the operator's keyword arguments (application,
    # java_class, name, conf, application_args), so the check builds the same command line.
    tasks = {
        task_id: SparkSubmitOperator(task_id=task_id, conn_id=SPEC["conn_id"], **kwargs)
        for task_id, kwargs in SPEC["tasks"].items()
    }
    # drift exits 0 whether or not the batch drifted: the branch reads the committed drift.json.
    # score and drift read the same input and do not wait for each other.
    retrain = ShortCircuitOperator(
        task_id="retrain_needed",
        python_callable=retrain_needed,
        op_kwargs={"drift_dir": SPEC["retrain"]["drift_uri"]},
    )
    trigger = TriggerDagRunOperator(
        task_id="retrain", trigger_dag_id=SPEC["retrain"]["trigger_dag_id"]
    )
    tasks["drift"] >> retrain >> trigger
