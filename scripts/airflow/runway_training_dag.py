"""Airflow DAG (Airflow 2.4+): validate a runway job, train it on the Spark cluster, evaluate the run
on a holdout, and promote it to an alias (champion) only if the gate passes; `promoted`, and any
task hung after it, runs only when promote moved the alias (otherwise they are skipped and the
DAG run still succeeds).

Everything passed to spark-submit lives in runway_training.json next to this file, so that
check_dag_command.py can render it and run it for real without Airflow installed.
"""
import json
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import ShortCircuitOperator
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

from runway_gate import promoted

SPEC = json.loads(Path(__file__).with_name("runway_training.json").read_text())

with DAG(
    dag_id=SPEC["dag_id"],
    schedule=SPEC["schedule"],
    start_date=pendulum.parse(SPEC["start_date"]),
    catchup=SPEC["catchup"],
    # Retries are safe because train is idempotent per run id: the id comes from Airflow's
    # run_id, which a retry keeps. A retry of a train that had committed is a no-op that exits 0;
    # a run left half-written by a dead attempt has no manifest, so the next attempt removes it
    # and trains again.
    default_args={
        "retries": SPEC["retries"],
        "retry_delay": timedelta(seconds=SPEC["retry_delay_seconds"]),
    },
    tags=["runway", "spark"],
) as dag:
    # Each task's JSON entry is exactly the operator's keyword arguments (application,
    # java_class, name, conf, application_args), so the test builds the same command line.
    tasks = {
        task_id: SparkSubmitOperator(task_id=task_id, conn_id=SPEC["conn_id"], **kwargs)
        for task_id, kwargs in SPEC["tasks"].items()
    }
    # validate starts no Spark and reads no data: a broken job file fails in seconds (exit 2)
    # instead of after an hour of cluster time. The exit code is in the task log in client
    # deploy mode only: in YARN cluster deploy mode the driver's code does not survive (the
    # driver throws and Airflow sees spark-submit exit 1), so keep the connection in client mode.
    #
    # promote exits 0 whether it promoted or rejected the run: a rejection is an answer, not a
    # failure to retry, and SparkSubmitOperator has no exit code for "skip". The branch reads the
    # verdict promote committed at its --output (the same template, in SPEC["gate"]) and skips
    # what follows when the alias did not move. A retried promote (same run id, same --output)
    # reports the committed verdict again without redoing the comparison.
    gate = ShortCircuitOperator(
        task_id="gate",
        python_callable=promoted,
        op_kwargs={"verdict_dir": SPEC["gate"]["verdict_uri"]},
    )
    # Downstream of a promotion: hang deployment or notification tasks here.
    on_promotion = EmptyOperator(task_id="promoted")
    tasks["validate"] >> tasks["train"] >> tasks["evaluate"] >> tasks["promote"] >> gate >> on_promotion
