#!/usr/bin/env python3
"""Runs the Airflow DAGs' spark-submit commands for real, without Airflow.

Reads runway_training.json and runway_scoring.json (what runway_training_dag.py and
runway_scoring_dag.py hand to SparkSubmitOperator), renders their templates with Jinja2 the way
Airflow does, builds the command line SparkSubmitHook builds, and runs, as two DAG runs would:

- validate, train, and train again as Airflow's retry would;
- evaluate and promote (the alias is unset, so only the gate's floors apply: promoted), promote
  again as the retry (the committed verdict's decision), and the gate's branch function
  (runway_gate.promoted, which the DAG's ShortCircuitOperator calls): it proceeds;
- a second DAG run's train (with RUNWAY_WORSE_TRAIN_ARGS), evaluate and promote (not better than
  the champion: rejected, the verdict naming the failed conditions) and the branch:
  it skips; the alias, read from storage, still points at the first run;
- score (with the run the first train committed, unless RUNWAY_SCORING_RUN names another) and
  score again as the retry;
- the scoring DAG's drift of the same input against the same run (it did not drift: the branch
  skips the retrain) and, with RUNWAY_DRIFTED_SAMPLE, of the next interval's drifted input (the
  branch triggers the training DAG, whose commands are the ones run above).

Environment:
  SPARK_HOME            its bin/spark-submit runs the commands
  RUNWAY_SPARK_MASTER   the master URL, standing in for the Airflow connection spark_default
  RUNWAY_JAR            the Airflow Variable runway_jar (the shaded job jar)
  RUNWAY_JOB            the Airflow Variable runway_job (the job file)
  RUNWAY_EXTRA_ARGS     optional, shell-split and appended to validate's and train's arguments,
                        e.g. --set output.root="/tmp/airflow-check-runs"
  RUNWAY_OUTPUT_ROOT    the Variable runway_output_root: train's output.root (a local directory
                        here), under which evaluate and promote find the run
  RUNWAY_JOB_NAME       the Variable runway_job_name: the job file's job.name
  RUNWAY_HOLDOUT        the Variable runway_holdout: labelled rows evaluate and promote use
  RUNWAY_ALIAS          optional, the Variable runway_alias (default champion)
  RUNWAY_WORSE_TRAIN_ARGS  optional, shell-split and appended to the second DAG run's train, to
                        make its model worse than the first (default: none, the same model)
  RUNWAY_SCORING_INPUT  the Variable runway_scoring_input: the interval's input is
                        <it>/date=<data interval start, YYYY-MM-DD>
  RUNWAY_SCORING_OUTPUT the Variable runway_scoring_output (a local directory here): the
                        interval's output is <it>/date=<YYYY-MM-DD>
  RUNWAY_SCORING_RUN    optional, the Variable runway_scoring_run (default: the run train committed)
  RUNWAY_SCORING_SAMPLE optional, a local file or directory copied to the interval's input
                        directory when that does not exist yet (standing in for the upstream
                        job that lands each day's rows)
  RUNWAY_DRIFT_OUTPUT   the Variable runway_drift_output (a local directory here): drift's
                        report for an interval is <it>/date=<YYYY-MM-DD>
  RUNWAY_DRIFTED_SAMPLE optional, landed as the next interval's input: rows that drifted
  RUNWAY_SCORING_EXTRA_ARGS  optional, shell-split and appended to score's arguments
  RUNWAY_MASTER_UI      optional, the standalone master's web UI (http://HOST:8080): then each
                        retry of a finished task is checked to have started no Spark application
                        (runway answers it from storage before a session starts)

Needs Python 3 and Jinja2 (Debian: python3-jinja2). Exits 1 at the first failed check.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import urlopen

import jinja2
from jinja2.sandbox import SandboxedEnvironment

sys.path.insert(0, str(Path(__file__).parent))
from runway_gate import promoted as gate_proceeds  # noqa: E402 (the DAG's own branch function)
from runway_gate import read_text  # noqa: E402
from runway_gate import retrain_needed  # noqa: E402 (the scoring DAG's branch function)

SPEC_FILE = Path(__file__).with_name("runway_training.json")
SCORING_SPEC_FILE = Path(__file__).with_name("runway_scoring.json")
# runway's RunIds rule: a run id becomes a directory name on any Hadoop file system.
SAFE_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# Every run id shape Airflow 2 generates, and a hand-typed one using the rest of the alphabet
# Airflow accepts by default ([scheduler] allowed_run_id_pattern = ^[A-Za-z0-9_.~:+-]+$).
AIRFLOW_RUN_IDS = [
    "scheduled__2026-11-27T00:00:00+00:00",
    "backfill__2026-11-27T00:00:00+00:00",
    "manual__2026-11-27T08:15:30.123456+00:00",
    "dataset_triggered__2026-11-27T08:15:30.123456+00:00",
    "rerun~2026-11-27:fixed+v2",
]
# The operator's keyword arguments this script knows the spark-submit options of. Any other
# key would change the real command line, so it must not be silently left out here.
KNOWN_TASK_KEYS = {"application", "java_class", "name", "conf", "application_args"}
COMMAND_TIMEOUT_S = 1800

# Airflow's own template environment: sandboxed, and an undefined name is an error.
JINJA = SandboxedEnvironment(undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.do"])


class Failure(Exception):
    pass


class TemplateDateTime(datetime):
    """Airflow's template dates are pendulum DateTimes: they render as ISO 8601 with a 'T'."""

    def __str__(self):
        return self.isoformat()


def require_env(name):
    value = os.environ.get(name, "")
    if not value:
        raise Failure(f"environment variable {name} is not set (see the top of {Path(__file__).name})")
    return value


def airflow_context(run_id, data_interval_start, data_interval_end, variables=None):
    """The template context; variables are the Airflow Variables (var.value.*) beyond the ones the DAGs share."""
    values = {
        "runway_jar": require_env("RUNWAY_JAR"),
        "runway_job": require_env("RUNWAY_JOB"),
        "runway_output_root": require_env("RUNWAY_OUTPUT_ROOT"),
        "runway_job_name": require_env("RUNWAY_JOB_NAME"),
        "runway_holdout": require_env("RUNWAY_HOLDOUT"),
        "runway_alias": os.environ.get("RUNWAY_ALIAS") or "champion",
    }
    values.update(variables or {})
    return {
        "run_id": run_id,
        "data_interval_start": data_interval_start,
        "data_interval_end": data_interval_end,
        "var": {"value": values},
    }


def render(value, context):
    """Like Airflow's render_template: strings are templates, lists and dict values are walked."""
    if isinstance(value, str):
        try:
            return JINJA.from_string(value).render(context)
        except jinja2.TemplateError as e:
            raise Failure(f"cannot render {value!r}: {e}") from e
    if isinstance(value, list):
        return [render(item, context) for item in value]
    if isinstance(value, dict):
        return {key: render(item, context) for key, item in value.items()}
    return value


def spark_submit_command(task, master, extra_args):
    """The command line SparkSubmitHook builds for these operator arguments, in its order."""
    unknown = set(task) - KNOWN_TASK_KEYS
    if unknown:
        raise Failure(f"task arguments {sorted(unknown)} have no spark-submit option in this check: add them")
    command = [str(Path(require_env("SPARK_HOME"), "bin", "spark-submit")), "--master", master]
    for key, value in task["conf"].items():
        command += ["--conf", f"{key}={value}"]
    command += ["--name", task["name"], "--class", task["java_class"], task["application"]]
    return command + task["application_args"] + extra_args


def option_arg(args, option, task_id):
    try:
        return args[args.index(option) + 1]
    except (ValueError, IndexError):
        raise Failure(f"the {task_id} task passes no {option}: {args}") from None


def run_id_arg(args):
    return option_arg(args, "--run-id", "train")


def extra_args(variable):
    try:
        return shlex.split(os.environ.get(variable, ""))
    except ValueError as e:
        raise Failure(f"cannot split {variable} like a shell line: {e}") from e


def run(task_id, command):
    """Runs one task's command; returns its JSON line, parsed, and prints it with the timing."""
    print(f"\n[{task_id}] $ {shlex.join(command)}", flush=True)
    started = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise Failure(f"{task_id} did not finish within {COMMAND_TIMEOUT_S} s") from None
    seconds = time.monotonic() - started
    if done.returncode != 0:
        # runway's "error: " lines say why; Spark's log around them says where.
        stderr = done.stderr.splitlines()
        errors = "\n".join(line for line in stderr if line.startswith("error: "))
        tail = "\n".join(stderr[-40:])
        raise Failure(f"{task_id} exited {done.returncode} after {seconds:.1f} s\n{errors}\nend of its stderr:\n{tail}")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if len(lines) != 1:
        raise Failure(f"{task_id} printed {len(lines)} lines on stdout, expected one JSON line:\n{done.stdout}")
    try:
        result = json.loads(lines[0])
    except ValueError:
        raise Failure(f"{task_id} printed a line that is not JSON: {lines[0]}") from None
    print(f"[{task_id}] exit 0 in {seconds:.1f} s: {lines[0]}", flush=True)
    return result


def applications():
    """How many applications the standalone master has seen (RUNWAY_MASTER_UI), or None."""
    ui = os.environ.get("RUNWAY_MASTER_UI", "")
    if not ui:
        return None
    with urlopen(ui.rstrip("/") + "/json/", timeout=10) as r:
        state = json.load(r)
    return len(state.get("activeapps", [])) + len(state.get("completedapps", []))


def run_retry(ok, task_id, command):
    """run() for a retry of a finished task, which must not start a Spark application."""
    before = applications()
    result = run(task_id, command)
    if before is not None:
        started = applications() - before
        if started:
            raise Failure(f"{task_id} started {started} Spark application(s) on the cluster")
        ok(f"{task_id} started no Spark application")
    return result


def expect_status(task_id, result, status):
    if result.get("status") != status:
        raise Failure(f"{task_id} reported status {result.get('status')!r}, expected {status!r}")


def local_path(uri, what):
    location = urlparse(uri)
    if location.scheme not in ("", "file"):
        raise Failure(f"cannot read {uri} from this script: {what} must be a local directory")
    return Path(location.path)


def read_manifest(run_uri):
    try:
        return local_path(run_uri, "the output").joinpath("manifest.json").read_bytes()
    except OSError as e:
        raise Failure(f"cannot read the manifest of {run_uri}: {e}") from e


def land_sample(input_uri, variable="RUNWAY_SCORING_SAMPLE"):
    """Copies the file or directory the environment variable names to the interval's input
    directory, if that does not exist yet."""
    sample = os.environ.get(variable, "")
    target = local_path(input_uri, f"RUNWAY_SCORING_INPUT (with {variable})")
    if not sample or target.exists():
        return
    source = Path(sample)
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.mkdir(parents=True)
        shutil.copy(source, target / source.name)
    print(f"[score] landed {source} at {target} for the data interval", flush=True)


def check_all(ok):
    spec = json.loads(SPEC_FILE.read_text())
    tasks = spec["tasks"]
    if spec["retries"] <= 0:
        raise Failure("retries must be positive: the retried train is what this script checks")
    ok(f"the DAG retries a failed task {spec['retries']} times, {spec['retry_delay_seconds']} s apart")

    for airflow_id in AIRFLOW_RUN_IDS:
        safe = run_id_arg(render(tasks["train"]["application_args"], airflow_context(airflow_id, "", "")))
        if not SAFE_RUN_ID.fullmatch(safe) or ".." in safe:
            raise Failure(f"Airflow run id {airflow_id} renders as {safe!r}, which runway refuses")
        ok(f"Airflow run id {airflow_id} renders as runway run id {safe}")

    check_gate_refuses_uncommitted(ok)

    # A manual trigger of a daily DAG, as Airflow 2 makes it: the run id holds the trigger
    # time to the microsecond, so every check gets a new run id under the same output root.
    now = TemplateDateTime.now(timezone.utc)
    interval_end = TemplateDateTime(now.year, now.month, now.day, tzinfo=timezone.utc)
    context = airflow_context(f"manual__{now.isoformat()}", interval_end - timedelta(days=1), interval_end)
    master = require_env("RUNWAY_SPARK_MASTER")
    training_args = extra_args("RUNWAY_EXTRA_ARGS")
    validate = spark_submit_command(render(tasks["validate"], context), master, training_args)
    train = spark_submit_command(render(tasks["train"], context), master, training_args)

    expect_status("validate", run("validate", validate), "valid")
    ok("validate exits 0 with status valid")

    first = run("train", train)
    expect_status("train", first, "committed")
    if first.get("run_id") != run_id_arg(train):
        raise Failure(f"train committed run {first.get('run_id')!r}, not the --run-id it was given")
    manifest = read_manifest(first["run_uri"])
    ok(f"train exits 0 with status committed at {first['run_uri']}")

    retry = run_retry(ok, "train (Airflow retry)", train)
    expect_status("train retry", retry, "already-committed")
    if retry.get("run_uri") != first["run_uri"]:
        raise Failure(f"the retry reported {retry.get('run_uri')}, the first attempt {first['run_uri']}")
    ok("the retried train exits 0 with status already-committed")
    if read_manifest(first["run_uri"]) != manifest:
        raise Failure(f"the retried train changed {first['run_uri']}/manifest.json")
    ok("the retry left manifest.json unchanged byte for byte")

    # The first DAG run of an output root whose alias is unset: only the gate's floors apply.
    alias_dir = local_path(context["var"]["value"]["runway_output_root"], "runway_output_root").joinpath(
        "_aliases", context["var"]["value"]["runway_alias"])
    if alias_commits(alias_dir):
        raise Failure(f"{alias_dir} already holds moves: point RUNWAY_OUTPUT_ROOT at a new directory")
    check_promotion(ok, spec, context, master, first, "promoted", champion=None)
    check_alias(ok, alias_dir, first["run_uri"], 1)

    # A second DAG run, a day later: a retrain that is not better than the champion.
    later = interval_end + timedelta(days=1)
    second_context = airflow_context(f"manual__{(now + timedelta(seconds=1)).isoformat()}", interval_end, later)
    second_train = spark_submit_command(
        render(tasks["train"], second_context), master, training_args + extra_args("RUNWAY_WORSE_TRAIN_ARGS"))
    second = run("train (second DAG run)", second_train)
    expect_status("second train", second, "committed")
    ok(f"the second DAG run's train exits 0 with status committed at {second['run_uri']}")
    # Its evaluate task is the first run's again (about 45 s of cluster time): rendered and
    # checked, not run.
    check_promotion(ok, spec, second_context, master, second, "rejected", champion=first["run_uri"],
                    evaluate_too=False, retry_too=False)
    check_alias(ok, alias_dir, first["run_uri"], 1)

    check_scoring(ok, context, master, first)


def check_promotion(ok, spec, context, master, trained, expected, champion, evaluate_too=True, retry_too=True):
    """evaluate, promote, promote's retry and the gate's branch for one DAG run's run.

    champion is the run the alias points at before this promote (None: unset).
    """
    tasks = spec["tasks"]
    evaluate = spark_submit_command(render(tasks["evaluate"], context), master, [])
    promote = spark_submit_command(render(tasks["promote"], context), master, [])
    run_uri = option_arg(evaluate, "--run", "evaluate")
    if local_path(run_uri, "runway_output_root") != local_path(trained["run_uri"], "the run"):
        raise Failure(f"evaluate and promote name the run {run_uri}, but train committed {trained['run_uri']}")
    if option_arg(promote, "--candidate", "promote") != run_uri:
        raise Failure(f"promote's --candidate is not evaluate's --run: {promote}")
    if evaluate_too:
        evaluated = run("evaluate", evaluate)
        expect_status("evaluate", evaluated, "committed")
        ok(f"evaluate exits 0 with status committed: {evaluated.get('metrics')}")

    promoted = run("promote", promote)
    expect_status("promote", promoted, expected)
    if not same_location(promoted.get("previous"), champion):
        raise Failure(f"promote compared with {promoted.get('previous')}, but the alias pointed at {champion}")
    ok(f"promote exits 0 with status {expected}, against {'the champion' if champion else 'no champion'}: "
       f"{promoted.get('reasons')}")
    verdict_dir = render(spec["gate"]["verdict_uri"], context)
    if not same_location(promoted.get("verdict_uri"), verdict_dir):
        raise Failure(f"promote committed its verdict at {promoted.get('verdict_uri')}, the gate reads {verdict_dir}")
    check_verdict(ok, verdict_dir, trained["run_uri"], expected, champion)

    if not retry_too:
        # The first DAG run's promote checked the retry (the committed verdict's decision).
        return finish_promotion(ok, expected, verdict_dir)
    retry = run_retry(ok, "promote (Airflow retry)", promote)
    expect_status("promote retry", retry, expected)
    if retry.get("reasons") != promoted.get("reasons") or not same_location(retry.get("verdict_uri"), verdict_dir):
        raise Failure(f"the retry reported {retry}, the first attempt {promoted}")
    ok(f"the retried promote exits 0 with the committed verdict's status, {expected}, and its reasons")
    finish_promotion(ok, expected, verdict_dir)


def finish_promotion(ok, expected, verdict_dir):
    """The gate's branch on the committed verdict."""
    # The DAG's ShortCircuitOperator calls this function with the same templated path.
    proceeds = gate_proceeds(verdict_dir)
    if proceeds != (expected == "promoted"):
        raise Failure(f"the gate's branch returned {proceeds} for a {expected} run")
    ok(f"the gate's branch {'proceeds' if proceeds else 'skips the tasks after it'} for a {expected} run")


def check_gate_refuses_uncommitted(ok):
    """The branch fails, rather than guessing, on a verdict that promote did not commit."""
    with tempfile.TemporaryDirectory() as half_written:
        Path(half_written, "verdict.json").write_text('{"decision": {"promoted": true}}', encoding="utf-8")
        try:
            gate_proceeds(half_written)
        except OSError:
            ok("the gate's branch fails on a verdict without manifest.json (not committed) instead of guessing")
            return
    raise Failure("the gate's branch read a verdict that has no manifest.json")


def check_verdict(ok, verdict_dir, candidate, expected, champion):
    """The committed verdict.json says what promote said, and a rejection says which condition failed."""
    verdict = json.loads(read_text(verdict_dir.rstrip("/") + "/verdict.json"))
    decision = verdict.get("decision", {})
    if decision.get("promoted") != (expected == "promoted") or decision.get("passes_gate") != (expected == "promoted"):
        raise Failure(f"the verdict at {verdict_dir} decided {decision}, promote reported {expected}")
    if not same_location(verdict.get("candidate", {}).get("uri"), candidate):
        raise Failure(f"the verdict at {verdict_dir} is about {verdict.get('candidate')}, not {candidate}")
    if not same_location((verdict.get("baseline") or {}).get("uri"), champion):
        raise Failure(f"the verdict at {verdict_dir} compared with {verdict.get('baseline')}, not {champion}")
    failed = [reason for reason in decision.get("reasons", []) if reason.endswith("(failed)")]
    if expected == "promoted":
        if failed:
            raise Failure(f"the verdict promoted with failed conditions: {failed}")
        ok(f"the verdict says promoted, outcome {decision.get('outcome')}, no condition failed")
        return
    if not failed:
        raise Failure(f"the verdict rejected without naming a failed condition: {decision.get('reasons')}")
    ok(f"the verdict says rejected, outcome {decision.get('outcome')}, and names what failed: {failed}")


def alias_commits(alias_dir):
    """The alias's committed moves, oldest first: {seq}-{uuid}.commit.json, seq zero-padded."""
    return sorted(alias_dir.glob("*.commit.json")) if alias_dir.is_dir() else []


def check_alias(ok, alias_dir, run_uri, moves):
    """The alias, read from storage: moved `moves` times in all, last to run_uri.

    runway's readers also drop commits that came too late after their proposal; none can here
    (one promote at a time), so the last commit is where the alias points.
    """
    commits = alias_commits(alias_dir)
    if len(commits) != moves:
        raise Failure(f"{alias_dir} holds {len(commits)} committed moves, expected {moves}")
    target = json.loads(commits[-1].read_text(encoding="utf-8")).get("run_uri")
    if not same_location(target, run_uri):
        raise Failure(f"the alias at {alias_dir} points at {target}, expected {run_uri}")
    ok(f"the alias {alias_dir.name} at {alias_dir} has moved {moves} time(s) and points at {run_uri}")


def same_location(a, b):
    """Whether two local paths or file: URIs (or two Nones) name the same place."""
    if a is None or b is None:
        return a is None and b is None
    return local_path(a, "a location") == local_path(b, "a location")


def check_scoring(ok, training_context, master, trained):
    """The scoring DAG's task for the same data interval, with the run train committed by default."""
    spec = json.loads(SCORING_SPEC_FILE.read_text())
    if spec["retries"] <= 0:
        raise Failure("the scoring DAG's retries must be positive: the retried score is what this script checks")
    variables = {
        "runway_scoring_run": os.environ.get("RUNWAY_SCORING_RUN") or trained["run_uri"],
        "runway_scoring_input": require_env("RUNWAY_SCORING_INPUT"),
        "runway_scoring_output": require_env("RUNWAY_SCORING_OUTPUT"),
        "runway_drift_output": require_env("RUNWAY_DRIFT_OUTPUT"),
    }
    start, end = training_context["data_interval_start"], training_context["data_interval_end"]
    context = airflow_context(training_context["run_id"], start, end, variables)
    score = spark_submit_command(render(spec["tasks"]["score"], context), master, extra_args("RUNWAY_SCORING_EXTRA_ARGS"))
    day = start.strftime("%Y-%m-%d")
    input_uri, output_uri = option_arg(score, "--input", "score"), option_arg(score, "--output", "score")
    for option, uri in (("--input", input_uri), ("--output", output_uri)):
        if day not in uri:
            raise Failure(f"score's {option} {uri} is not the data interval's (starting {day})")
    ok(f"score reads {input_uri} and writes {output_uri}, both of the data interval starting {day}")
    land_sample(input_uri)

    first = run("score", score)
    expect_status("score", first, "committed")
    if not isinstance(first.get("rows"), int) or first["rows"] <= 0:
        raise Failure(f"score committed {first.get('rows')!r} rows, expected some")
    if local_path(first.get("output_uri", ""), "the output") != local_path(output_uri, "RUNWAY_SCORING_OUTPUT"):
        raise Failure(f"score committed {first.get('output_uri')}, not the --output it was given")
    manifest = read_manifest(first["output_uri"])
    ok(f"score exits 0 with status committed: {first['rows']} rows at {first['output_uri']}")

    retry = run_retry(ok, "score (Airflow retry)", score)
    expect_status("score retry", retry, "already-committed")
    if (retry.get("output_uri"), retry.get("rows")) != (first["output_uri"], first["rows"]):
        raise Failure(f"the retry reported {retry}, the first attempt {first}")
    ok("the retried score exits 0 with status already-committed")
    if read_manifest(first["output_uri"]) != manifest:
        raise Failure(f"the retried score changed {first['output_uri']}/manifest.json")
    ok("the retry left the output's manifest.json unchanged byte for byte")

    check_drift(ok, spec, context, master, "RUNWAY_SCORING_SAMPLE", expect_retrain=False)
    drifted = os.environ.get("RUNWAY_DRIFTED_SAMPLE", "")
    if drifted:
        # The next data interval's input has drifted (standing in for a changed upstream).
        later = airflow_context(
            f"{training_context['run_id']}-next", end, end + timedelta(days=1), variables)
        check_drift(ok, spec, later, master, "RUNWAY_DRIFTED_SAMPLE", expect_retrain=True)


def check_drift(ok, spec, context, master, sample_variable, expect_retrain):
    """The scoring DAG's drift task for one data interval, and its branch to retraining.

    The retrain branch only triggers the training DAG (TriggerDagRunOperator), whose commands
    this script runs above; here the trigger's target is checked to be that DAG.
    """
    drift = spark_submit_command(
        render(spec["tasks"]["drift"], context), master, extra_args("RUNWAY_SCORING_EXTRA_ARGS"))
    input_uri, output_uri = option_arg(drift, "--input", "drift"), option_arg(drift, "--output", "drift")
    day = context["data_interval_start"].strftime("%Y-%m-%d")
    for option, uri in (("--input", input_uri), ("--output", output_uri)):
        if day not in uri:
            raise Failure(f"drift's {option} {uri} is not the data interval's (starting {day})")
    land_sample(input_uri, sample_variable)
    result = run(f"drift ({day})", drift)
    expect_status("drift", result, "committed")
    drift_dir = render(spec["retrain"]["drift_uri"], context)
    if not same_location(result.get("output_uri"), drift_dir):
        raise Failure(f"drift committed {result.get('output_uri')}, the branch reads {drift_dir}")
    if result.get("retrain") is not expect_retrain:
        raise Failure(f"drift on {input_uri} said retrain={result.get('retrain')}, expected {expect_retrain}:"
                      f" {read_text(drift_dir.rstrip('/') + '/drift.json')}")
    ok(f"drift exits 0 with status committed for {day}: retrain {result['retrain']},"
       f" drifted columns {result.get('drifted_columns')}")
    proceeds = retrain_needed(drift_dir)
    if proceeds != expect_retrain:
        raise Failure(f"the retrain branch returned {proceeds} for a drift report saying retrain={expect_retrain}")
    training = json.loads(SPEC_FILE.read_text())
    if spec["retrain"]["trigger_dag_id"] != training["dag_id"]:
        raise Failure(f"the retrain branch triggers {spec['retrain']['trigger_dag_id']}, not {training['dag_id']}")
    ok(f"the retrain branch {'triggers ' + training['dag_id'] if proceeds else 'skips the retrain'}"
       f" for a batch that {'drifted' if proceeds else 'did not drift'}")


def main():
    passed = []

    def ok(check):
        passed.append(check)
        print(f"ok {len(passed)}: {check}", flush=True)

    try:
        check_all(ok)
    except Failure as e:
        print(f"FAILED: {e}", file=sys.stderr)
        print(f"{len(passed)} passed, 1 failed")
        return 1
    print(f"{len(passed)} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
