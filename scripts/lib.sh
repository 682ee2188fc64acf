# Shared by the scripts in this folder; sourced, not run.
# Finds the repo, builds the job jar when it is missing or older than the sources, and sets
#   RUNWAY_HOME   the repository
#   RUNWAY_JAR    the shaded job jar
#   RUNWAY_CP     Spark, Hadoop and the libraries kept out of the job jar, for local mode
#   JAVA_OPENS    the --add-opens flags Spark needs on Java 17 (one list, kept in pom.xml)
#   RUNWAY_JVM_OPTS  JVM options for drivers and executors (G1 region size, see below)
# RUNWAY_NO_BUILD=1 uses the jar that is there without checking it against the sources (tests).

RUNWAY_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Whether the kernel gives a JVM that asks transparent huge pages (Linux, THP set to madvise or
# always). Asked first because elsewhere the option fails: macOS's JVM does not know it, and with
# THP off Linux's JVM prints a warning on stdout, where runway prints its one JSON line.
runway_huge_pages() {
  grep -qE '\[(always|madvise)\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
}
# JVM options for every driver and executor the scripts start. Spark caches tables as column
# buffers of one to a few megabytes; G1 stores each array over half a region as a "humongous"
# object in whole regions of its own, and its default regions on a 4 GB heap are 2 MB. On the
# 10M-row synthetic table that wasted almost half the heap (1,785 humongous regions live after a
# full GC) and the job ran out of memory; with 16 MB regions the same buffers pack densely.
runway_default_jvm_opts="-XX:G1HeapRegionSize=16m"
# Huge pages for the heap where there are: a job fills its heap while it reads and caches data,
# and with 4 KiB pages the kernel took one fault per page to hand it over. On the quickstart
# (2-core VM) that was system time in most of the read-and-cache pass; with huge pages the first
# training step came about 7 s sooner, median 27.2 -> 20.1 s, with no higher peak RSS (README,
# Start-up).
if runway_huge_pages; then runway_default_jvm_opts+=" -XX:+UseTransparentHugePages"; fi
RUNWAY_JVM_OPTS="${RUNWAY_JVM_OPTS:-$runway_default_jvm_opts}"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

# The JVM's own warnings to stderr, for a JVM that runs a runway command (scripts/run's, and the
# driver scripts/submit starts): by default the JVM prints them on stdout, where runway prints its
# one JSON line. Goes before RUNWAY_JVM_OPTS, so a -Xlog there still applies.
runway_jvm_warnings="-Xlog:disable -Xlog:all=warning:stderr"

# JavaCPP's cap on the resident memory of a JVM whose heap is $1 (4g, 4096m): the heap + 3 GB,
# printed as a -D option (nothing for a size it cannot read). ND4J's native arrays are freed only
# when the collector finds their Java objects, and JavaCPP collects only when resident memory
# passes this cap, by default maxbytes + 3 x the heap (16 GB on a 4 GB heap): the CNN example
# reached all 16 GB in two epochs, and 7.6 GB with the cap, no slower (README, Memory).
runway_native_cap() {
  local mb
  mb="$(runway_mb "$1")"
  [[ -n "$mb" ]] && echo "-Dorg.bytedeco.javacpp.maxphysicalbytes=$(( mb + 3072 ))m"
  return 0
}

# JVM options for a short job on a small machine, in local mode with a heap of $1, given the
# RUNWAY_JVM_OPTS of the run in $2 (what RUNWAY_SHORT_JOB=1 gives scripts/run, and
# scripts/quickstart's default). Why each, measured on the 2-core quickstart (README, Short jobs):
# - C1 only: C2 took about one core for the whole run, from the very tasks it compiled for. Not the
#   default, because Java loops such as MLlib's trees run 1.8x slower under C1.
# - a metaspace large enough for Spark's classes: else four collections ran only to grow it.
# - the young generation at a quarter of the heap: the heap G1 committed in the first pass over the
#   data (3.3 GB, 1.5 GB live) had every new page zeroed by the kernel first, half the machine's
#   CPU in that pass (perf: clear_page).
# - the parallel collector: it committed 1.9 GB where G1 committed 2.7 GB, without G1's concurrent
#   threads on the two cores. G1 stays the default elsewhere: its regions are what fixed the
#   10M-row tables (above). A collector named in $2 wins: the JVM refuses two.
runway_short_job_opts() {
  local mb
  mb="$(runway_mb "$1")"
  printf '%s' "-XX:TieredStopAtLevel=1 -XX:MetaspaceSize=256m"
  [[ -n "$mb" ]] && printf ' -Xmn%sm' $(( mb / 4 ))
  [[ " $2 " =~ [[:space:]]-XX:\+Use[A-Za-z0-9]+GC[[:space:]] ]] || printf ' %s' "-XX:+UseParallelGC"
  return 0
}

# MiB in a memory size with a unit (4g, 768m, 1t, 524288k): nothing for a size it cannot read.
runway_mb() {
  if [[ "$1" =~ ^([0-9]+)[tT]$ ]]; then echo $(( BASH_REMATCH[1] * 1024 * 1024 ))
  elif [[ "$1" =~ ^([0-9]+)[gG]$ ]]; then echo $(( BASH_REMATCH[1] * 1024 ))
  elif [[ "$1" =~ ^([0-9]+)[mM]$ ]]; then echo "${BASH_REMATCH[1]}"
  elif [[ "$1" =~ ^([0-9]+)[kK]$ ]]; then echo $(( BASH_REMATCH[1] / 1024 ))
  fi
}

# The class-data archive of this build: the classes a quickstart's training loaded, mapped by later
# JVMs instead of read from the jars and defined again (README, The class-data archive). The JVM
# accepts an archive only with the same JDK and the same classpath, each jar's size and time
# included, so the name is a hash of those: a rebuilt jar or another JDK finds no archive rather
# than one the JVM would refuse with a warning. Prints nothing where there is to be no archive:
# RUNWAY_CLASS_ARCHIVE other than 1, an archive named in RUNWAY_JVM_OPTS (which wins), or no GNU
# stat and sha1sum (not Linux). RUNWAY_CLASS_ARCHIVE_DIR (default target/class-archive) must be as
# trusted as the jar: the JVM runs what an archive holds.
runway_class_archive() {
  local java_bin key
  [[ "${RUNWAY_CLASS_ARCHIVE:-1}" == 1 && "$RUNWAY_JVM_OPTS" != *Archive* ]] || return 0
  { stat --version && command -v sha1sum; } >/dev/null 2>&1 || return 0
  java_bin="$(readlink -f "$(command -v java)")"
  key="$( { tr ':' '\n' <<<"$java_bin:$(dirname "$java_bin")/../lib/server/libjvm.so:$RUNWAY_JAR:$RUNWAY_CP" \
              | xargs -d '\n' stat -L -c '%n %s %Y' 2>/dev/null || true
          } | sha1sum | cut -c1-16)"
  printf '%s/runway-%s.jsa' "${RUNWAY_CLASS_ARCHIVE_DIR:-$RUNWAY_HOME/target/class-archive}" "$key"
}

# Makes the archive a JVM wrote at its exit ($1, written aside) this build's archive ($2), if a JVM
# can map it whole: a run killed while writing leaves a truncated file, and a JVM that maps one
# crashes at start (SIGBUS, measured), so an archive is checked before any run can see it, by a
# JVM that must map it (-Xshare:on) and checks every region's checksum. Replaces the archives of
# earlier builds. Returns non-zero, removing $1, for an archive that fails the check.
runway_class_archive_keep() {
  local partial="$1" archive="$2" crash kept=1
  crash="$(mktemp -d)"
  if java -Xshare:on -XX:+VerifySharedSpaces -XX:SharedArchiveFile="$partial" \
      -XX:ErrorFile="$crash/hs_err_%p.log" -XX:-CreateCoredumpOnCrash \
      -cp "$RUNWAY_JAR:$RUNWAY_CP" -version >/dev/null 2>&1; then
    find "$(dirname "$archive")" -maxdepth 1 -name 'runway-*.jsa' ! -name "$(basename "$archive")" -delete
    mv -f "$partial" "$archive"
    kept=0
  fi
  rm -rf "$crash"
  rm -f "$partial"
  return $kept
}

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
