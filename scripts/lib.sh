# Shared by the scripts in this folder; sourced, not run.
# Finds the repo, builds the job jar when it is missing or older than the sources, and sets
#   RUNWAY_HOME   the repository
#   RUNWAY_JAR    the shaded job jar
#   RUNWAY_CP     Spark, Hadoop and the libraries kept out of the job jar, for local mode
#   JAVA_OPENS    the --add-opens flags Spark needs on Java 17 (one list, kept in pom.xml)
# RUNWAY_NO_BUILD=1 uses the jar that is there without checking it against the sources (tests).

RUNWAY_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

runway_build_if_stale() {
  local jar provided
  jar="$(ls "$RUNWAY_HOME"/target/runway-*.jar 2>/dev/null | grep -v -- '-original' | head -1 || true)"
  provided="$RUNWAY_HOME/target/local-classpath.txt"
  if [[ -n "${RUNWAY_NO_BUILD:-}" && -n "$jar" && -f "$provided" ]]; then :
  elif [[ -z "$jar" || ! -f "$provided" ]] \
      || [[ -n "$(find "$RUNWAY_HOME/src/main" "$RUNWAY_HOME/pom.xml" -newer "$jar" -type f -print -quit)" ]]; then
    echo "runway: building the job jar (mvn package)..." >&2
    (cd "$RUNWAY_HOME" && mvn -B -q -Dstyle.color=never -DskipTests package) >&2 || {
      echo "error: the build failed (run 'mvn -B -DskipTests package' to see why)" >&2
      exit 2
    }
    jar="$(ls "$RUNWAY_HOME"/target/runway-*.jar | grep -v -- '-original' | head -1)"
  fi
  RUNWAY_JAR="$jar"
  RUNWAY_CP="$(cat "$provided")"
  JAVA_OPENS="$(sed -n 's:.*<spark.java.opens>\(.*\)</spark.java.opens>.*:\1:p' "$RUNWAY_HOME/pom.xml")"
}
