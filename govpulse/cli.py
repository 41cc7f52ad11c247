"""The ``govpulse`` command: demo data, the pipeline (through Dagster) and the dashboard."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from govpulse.settings import (
    AS_OF_ENV,
    DBT_TARGET_ENV,
    DBT_TARGETS,
    DBT_VARS_ENV,
    FULL_REFRESH_ENV,
    INPUT_DIR_ENV,
    RAW_DIR_ENV,
    REGISTRY_ENV,
    SOURCE_ENV,
    SOURCES,
    WAREHOUSE_ENV,
    Settings,
    SettingsError,
    format_as_of,
    parse_as_of,
)
from govpulse.wording import counted, files_read, unreadable_note


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _parse_var(text: str) -> tuple[str, object]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"--var expects NAME=VALUE, got {text!r}")
    try:
        return name.strip(), json.loads(value)
    except json.JSONDecodeError:
        return name.strip(), value


def _copies(text: str) -> int:
    """--scale: a whole number of copies of the accounts, 1 or more."""
    try:
        copies = int(text)
    except ValueError:
        copies = 0
    if copies < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got {text!r}")
    return copies


def cmd_demo_data(args: argparse.Namespace) -> int:
    from extractors.demo_corpus import generate_corpus

    as_of = parse_as_of(args.as_of)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        _say(f"govpulse demo-data: {out} is a file, not a folder: choose another --out")
        return 2
    try:
        summary = generate_corpus(out, as_of=as_of, seed=args.seed, scale=args.scale,
                                  progress=_say)
    except OSError as exc:
        _say(f"govpulse demo-data: cannot write the corpus: {exc.strerror} "
             f"({exc.filename or out})")
        return 2
    print(f"demo corpus for {format_as_of(summary.as_of)} in {summary.out_dir}")
    print(f"  {counted(summary.departments, 'department')}, "
          f"{counted(summary.accounts, 'account')}")
    print(f"  {counted(summary.tweets, 'tweet')}: {counted(summary.posts, 'post')}, "
          f"{counted(summary.inbound_replies, 'inbound reply', 'inbound replies')}, "
          f"{counted(summary.responses, 'response')}")
    print(f"  registry: {summary.registry}")
    return 0


def _configure_environment(args: argparse.Namespace) -> None:
    os.environ[WAREHOUSE_ENV] = str(Path(args.warehouse).expanduser().resolve())
    os.environ[SOURCE_ENV] = args.source
    os.environ[REGISTRY_ENV] = str(Path(args.registry).expanduser().resolve())
    if args.input:
        os.environ[INPUT_DIR_ENV] = str(Path(args.input).expanduser().resolve())
    # as_of is fixed once for the whole run, so every asset computes for the same moment.
    os.environ[AS_OF_ENV] = format_as_of(parse_as_of(args.as_of))
    if args.var:
        os.environ[DBT_VARS_ENV] = json.dumps(dict(args.var))
    if args.full_refresh:
        os.environ[FULL_REFRESH_ENV] = "1"
    if args.target:
        os.environ[DBT_TARGET_ENV] = args.target
    if os.environ.get(RAW_DIR_ENV):
        # dbt's sources read the folder from this variable: make it absolute once
        os.environ[RAW_DIR_ENV] = str(Path(os.environ[RAW_DIR_ENV]).expanduser().resolve())
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def _failure_messages(result) -> list[str]:
    messages = []
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data:
            error = event.step_failure_data.error
            while error and error.cause and "Failure" not in error.cls_name:
                error = error.cause
            text = error.message.strip() if error else "failed"
            # a Failure raised on purpose says what is wrong; its class path says nothing
            text = text.removeprefix("dagster._core.definitions.events.Failure: ")
            messages.append(f"{event.step_key}: {text}")
    return messages


def _extraction_summary(result) -> str:
    """What the extraction asset reported (its Dagster metadata), as one line."""
    for materialization in result.asset_materializations_for_node("raw_tweets_and_users"):
        if materialization.asset_key.path != ["raw", "tweets"]:
            continue
        values = {key: value.value for key, value in materialization.metadata.items()}
        if values.get("source") == "x":
            line = (f"extracted from the X API: {counted(values['api_calls'], 'call')}, "
                    f"{counted(values['tweets_read'], 'tweet')} read, "
                    f"{values['rows_landed']:,} new, "
                    f"{counted(values['accounts_active'], 'account')} active, "
                    f"{values['accounts_unavailable']:,} unavailable, "
                    f"{counted(values['coverage_gaps'], 'coverage gap')} (see raw.load_issues)")
            if values.get("stopped_early"):
                line += f"\n  stopped early: {values['stopped_early']}"
            return line
        return ("extracted from "
                f"{files_read(values['files'], values.get('files_unchanged', 0))}: "
                f"{counted(values['tweets_read'], 'tweet')} read, {values['rows_landed']:,} new, "
                f"{counted(values['skipped_records'], 'record')} skipped"
                f"{unreadable_note(values.get('unreadable_files', 0))}")
    return "extraction reported nothing"


def _input_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the run's settings or input, in one line naming the file; None when
    nothing is. Checked before Dagster starts: these errors are the user's to fix."""
    from extractors.files_source import InputFolderError, check_input_folder
    from extractors.registry import RegistryError, load_registry
    from extractors.x_client import XApiError, XApiSettings
    from govpulse.publish import NotReplaceable, check_replaceable

    if args.source == "files" and not args.input:
        return "--source files needs --input DIR"
    try:
        _configure_environment(args)
        Settings.from_env()  # every setting checked before anything runs
        registry = Path(os.environ[REGISTRY_ENV])
        if not registry.is_file():
            return f"registry file {registry} does not exist"
        load_registry(registry)
        check_replaceable(Path(os.environ[WAREHOUSE_ENV]))
        if args.source == "files":
            check_input_folder(Path(os.environ[INPUT_DIR_ENV]))
        else:
            XApiSettings.from_env()  # the token is there; its messages never hold it
    except (SettingsError, RegistryError, NotReplaceable, InputFolderError, XApiError) as exc:
        return str(exc)
    return None


def cmd_run(args: argparse.Namespace) -> int:
    problem = _input_problem(args)
    if problem is not None:
        _say(f"govpulse run: {problem}")
        return 2
    from dagster import DagsterInstance

    from govpulse.summary import warehouse_summary
    from orchestration.project import ensure_manifest

    ensure_manifest()
    from orchestration.definitions import load

    _say(f"govpulse: running daily_refresh as of {os.environ[AS_OF_ENV]} ...")
    job = load().resolve_job_def("daily_refresh")
    # With $DAGSTER_HOME the run is recorded there (and shows in the UI); else it is ephemeral.
    if os.environ.get("DAGSTER_HOME"):
        Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
        instance = DagsterInstance.get()
    else:
        instance = DagsterInstance.ephemeral()
    log_level = "DEBUG" if args.verbose else "INFO"
    result = job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}},
    )
    if not result.success:
        _say("govpulse run failed; the published warehouse was left as it was.")
        for message in _failure_messages(result) or ["the run failed (see the log above)"]:
            _say(f"  {message}")
        return 1
    print(_extraction_summary(result))
    print(warehouse_summary(Path(os.environ[WAREHOUSE_ENV])))
    return 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    app = Path(__file__).resolve().parent.parent / "reports" / "app.py"
    os.environ[WAREHOUSE_ENV] = str(Path(args.warehouse).expanduser().resolve())
    command = [sys.executable, "-m", "streamlit", "run", str(app),
               "--server.port", str(args.port), "--server.headless", "true",
               "--client.toolbarMode", "viewer",
               "--browser.gatherUsageStats", "false"]
    _say(f"govpulse dashboard on http://localhost:{args.port} (Ctrl-C to stop)")
    os.execv(sys.executable, command)
    return 0  # not reached


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govpulse",
        description="How well official social-media accounts engage with citizens.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo-data", help="write the deterministic demo corpus")
    demo.add_argument("--out", required=True, help="folder to write the corpus to")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument("--scale", type=_copies, default=1,
                      help="multiply the volume by this many copies of the accounts (default 1)")
    demo.add_argument("--as-of", default=None,
                      help="end of the 90 days (ISO-8601; default: now)")
    demo.set_defaults(handler=cmd_demo_data)

    run = commands.add_parser("run", help="extract, build and publish the warehouse")
    run.add_argument("--registry", required=True, help="account registry (CSV or YAML)")
    run.add_argument("--source", choices=SOURCES, default="files",
                     help="where the tweets come from: files (the --input folder, default) "
                          "or x (the X API v2, with the bearer token in X_BEARER_TOKEN)")
    run.add_argument("--input", help="folder of twarc2 JSONL files / X archives (files source)")
    run.add_argument("--warehouse", required=True, help="warehouse file to publish (.duckdb)")
    run.add_argument("--as-of", default=None,
                     help="compute the figures for this moment (ISO-8601; default: now)")
    run.add_argument("--var", action="append", type=_parse_var, metavar="NAME=VALUE",
                     help="override a dbt var (threshold, window, weight); repeatable")
    run.add_argument("--full-refresh", action="store_true",
                     help="rebuild the incremental models from every raw row")
    run.add_argument("--target", choices=DBT_TARGETS, default=None,
                     help="dbt target the models are built on: duckdb (default) or spark "
                          f"(or set {DBT_TARGET_ENV})")
    run.add_argument("--verbose", action="store_true", help="show Dagster's debug log")
    run.set_defaults(handler=cmd_run)

    dashboard = commands.add_parser("dashboard", help="serve the Streamlit dashboard")
    dashboard.add_argument("--warehouse", required=True, help="published warehouse file")
    dashboard.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    dashboard.set_defaults(handler=cmd_dashboard)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Settings come from the environment; a .env file in the working folder fills the gaps
    # (command-line flags win over both).
    from dotenv import load_dotenv

    load_dotenv(Path.cwd() / ".env", override=False)
    try:
        return args.handler(args)
    except SettingsError as exc:
        _say(f"govpulse {args.command}: {exc}")
        return 2
    except KeyboardInterrupt:
        _say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())

