"""Finding Java and starting (or joining) the SparkSession for `medllm spark-annotate`."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Dict, Optional

JAVA_HELP = ("pyspark needs a Java runtime (Java 17 or 21 for Spark 4) and none was found: install one "
             "(Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`; macOS: `brew install openjdk@17`; "
             "or conda's `openjdk=17`) and put `java` on PATH or set JAVA_HOME")
PYSPARK_HELP = "pyspark is not installed: pip install 'spacy-medllm[spark]' (pyspark 4 and pyarrow)"


def find_java() -> Optional[str]:
    """The `java` Spark will start: $JAVA_HOME/bin/java if JAVA_HOME is set, else `java` on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        return str(java) if java.is_file() else None
    return shutil.which("java")


class SparkUnavailable(RuntimeError):
    """No Java or no pyspark: the message says what to install."""


def get_session(master: Optional[str] = None, conf: Optional[Dict[str, str]] = None, app_name: str = "medllm"):
    """The active SparkSession, or a new one. Without `master` the one from spark-submit is used
    (local[*] when there is none). Arrow stays on; log level WARN so the console shows no INFO noise."""
    if find_java() is None:
        raise SparkUnavailable(JAVA_HELP)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable(PYSPARK_HELP)
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    settings = {"spark.sql.execution.arrow.pyspark.enabled": "true", "spark.ui.showConsoleProgress": "false",
                # workers forked with spaCy/torch already imported (see daemon.py)
                "spark.python.daemon.module": "spacy_medllm.spark.daemon"}
    if (master or "local").startswith("local") and not os.environ.get("PYSPARK_PYTHON"):
        # Local workers must run this interpreter (its venv has spaCy), not whatever `python3` is on
        # PATH; pyspark reads only the environment variable for that.
        os.environ["PYSPARK_PYTHON"] = sys.executable
    for key, value in {**settings, **(conf or {})}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark
