package dev.runway.compare;

import static dev.runway.compare.AliasLog.ABANDONED;
import static dev.runway.compare.AliasLog.COMMIT;
import static dev.runway.compare.AliasLog.PROPOSAL;

import dev.runway.artifacts.Json;
import dev.runway.compare.AliasLog.Move;
import dev.runway.compare.AliasLog.Resolution;
import dev.runway.compare.AliasLog.Valid;
import dev.runway.error.JobConfigException;
import dev.runway.error.StorageErrors;
import dev.runway.error.StorageException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named aliases of the runs in one output root ({@code champion}, ...), kept in the root (the parent
 * of its job directories) on any Hadoop file system: S3 through S3A, HDFS, local disks.
 *
 * <p>S3A offers no conditional write and no atomic rename, so nothing here is ever overwritten or
 * renamed. Alias {@code NAME} is a set of small, write-once JSON objects under {@code
 * _aliases/NAME/}, and an alias moves in two steps:
 *
 * <ol>
 *   <li>write a proposal {@code <seq>-<uuid>.proposal.json} ({@link AliasProposal}) naming the
 *       seq of the commit the alias resolves to as its parent;
 *   <li>list the directory. The proposal wins only if the alias still resolves to its parent and
 *       no other proposal on it is live (above the parent's seq, neither committed nor abandoned,
 *       younger than its lease); then it writes {@code <seq>-<uuid>.commit.json}. A loser writes
 *       {@code <seq>-<uuid>.abandoned.json}, a promise never to commit, so it blocks nobody.
 * </ol>
 *
 * Each contender writes before it lists, and listings are strongly consistent (S3 since 2020,
 * HDFS, local disks): of two racing contenders at most one can list and see itself alone, so two
 * moves racing on one alias cannot both win; both may lose, and then nothing moves.
 *
 * <p>Readers walk the commits in seq order (see {@link AliasLog#resolve}). A contender that
 * crashes leaves a proposal without a commit: it blocks moves until it is older than its lease,
 * measured against the storage time of the next contender's proposal (the store's clock only,
 * never this machine's against the store's). A commit stored later than the lease after its
 * proposal is ignored by readers, because by then another contender may have taken its proposal
 * for dead: its writer reads its commit back and reports the loss.
 *
 * <p>Every decision, moved or not, can be kept in the alias's history ({@link #record}), which
 * resolution never reads.
 */
public final class Aliases {
  private static final Logger LOG = LoggerFactory.getLogger(Aliases.class);

  /** The directory of the aliases inside an output root; job names in it are the other entries. */
  public static final String DIRECTORY = "_aliases";

  static final String HISTORY = "history";

  /**
   * How long a proposal may block other moves and how soon its commit must follow it: long enough
   * for one contender's list-check-commit even on a slow store, short enough that a crashed
   * promotion does not hold an alias for long. Each proposal records the lease it was written
   * with, so readers need no setting.
   */
  public static final Duration DEFAULT_LEASE = Duration.ofMinutes(10);

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
  private static final DateTimeFormatter HISTORY_STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Points in {@link #move} where tests interleave contenders or make one fail or stall. */
  interface Hooks {
    Hooks NONE = new Hooks() {};

    /** After the proposal is stored, before the directory is listed. */
    default void afterProposal(String stem) {}

    /** After the listing, before deciding on it. */
    default void afterList(String stem) {}

    /** After winning the check, before the commit is written. */
    default void beforeCommit(String stem) {}
  }

  private final FileSystem fs;
  private final Path root;
  private final Duration lease;
  private final String who;
  /** Proposals are written once and never change: what was read once stays true. */
  private final Map<Path, AliasProposal> proposals = new ConcurrentHashMap<>();

  Hooks hooks = Hooks.NONE;

  private Aliases(FileSystem fs, Path root, Duration lease, String who) {
    this.fs = fs;
    this.root = root;
    this.lease = lease;
    this.who = who;
  }

  /**
   * The aliases of the runs under the output root {@code rootUri}.
   *
   * @param lease the lease of the proposals this instance writes (readers use each proposal's own)
   */
  public static Aliases at(Configuration hadoop, String rootUri, Duration lease) {
    return at(hadoop, rootUri, lease, whoAmI());
  }

  static Aliases at(Configuration hadoop, String rootUri, Duration lease, String who) {
    if (lease.isNegative() || lease.isZero()) {
      throw new JobConfigException(
          "Cannot use an alias lease of " + lease + ": the value must be positive");
    }
    Path path = new Path(rootUri);
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      // The local file system's checksummed layer sets each new file's permissions with a chmod
      // process (no native library here): about 40 ms per object, inside a move's lease.
      // Checksums add nothing to a few hundred bytes of JSON.
      if (fs instanceof LocalFileSystem local) {
        fs = local.getRawFileSystem();
      }
      return new Aliases(fs, fs.makeQualified(path), lease, who);
    } catch (IOException e) {
      throw storage("open", path, e);
    }
  }

  /** The output root's URI, fully qualified. */
  public String root() {
    return root.toString();
  }

  /** Checks an alias name: a lower-case letter, then up to 63 of a-z, 0-9, '_' and '-'. */
  public static String checkName(String alias) {
    if (alias == null || !NAME.matcher(alias).matches()) {
      throw new JobConfigException("Cannot use alias '" + alias + "': an alias is a lower-case"
          + " letter followed by up to 63 lower-case letters, digits, '_' and '-'");
    }
    return alias;
  }

  /** Where {@code alias} points now; empty when it was never moved. */
  public Optional<AliasState> resolve(String alias) {
    Path dir = dir(checkName(alias));
    return scan(dir).resolve(m -> proposal(dir, m)).current().map(v -> state(alias, v));
  }

  /** Run URI (without a trailing slash) to the aliases pointing at it, by alias name. */
  public Map<String, List<String>> byRun() {
    Map<String, List<String>> out = new TreeMap<>();
    for (AliasState a : list().values()) {
      out.computeIfAbsent(a.runUri().replaceAll("/+$", ""), k -> new ArrayList<>())
          .add(a.alias());
    }
    return out;
  }

  /** Every alias of the output root that points at a run, by name. */
  public SortedMap<String, AliasState> list() {
    SortedMap<String, AliasState> out = new TreeMap<>();
    for (FileStatus status : listStatus(new Path(root, DIRECTORY))) {
      String name = status.getPath().getName();
      if (status.isDirectory() && NAME.matcher(name).matches()) {
        resolve(name).ifPresent(s -> out.put(name, s));
      }
    }
    return out;
  }

  /**
   * Points {@code alias} at {@code newRunUri} if it still points at {@code expectedRunUri} (empty:
   * unset) and no other move is under way. Never throws for a lost race: the result says who or
   * what stood in the way. Does not write history: record the decision with {@link #record}.
   *
   * @param verdictUri the comparison that justified the move; null for none
   */
  public MoveResult move(
      String alias, Optional<String> expectedRunUri, String newRunUri, String verdictUri) {
    Path dir = dir(checkName(alias));
    AliasLog seen = scan(dir);
    Resolution before = seen.resolve(m -> proposal(dir, m));
    Optional<String> previous = before.current().map(v -> v.proposal().runUri());
    if (!previous.equals(expectedRunUri)) {
      return new MoveResult(
          alias, false, 0, newRunUri, previous, movedMeanwhile(alias, expectedRunUri, before));
    }
    long seq = seen.maxSeq() + 1;
    String uuid = UUID.randomUUID().toString();
    String stem = AliasLog.stem(seq, uuid);
    AliasProposal proposal = new AliasProposal(
        alias,
        seq,
        before.seq(),
        newRunUri,
        previous.orElse(null),
        verdictUri,
        who,
        Instant.now().toString(),
        lease.toMillis());
    long started = System.nanoTime();
    Path proposalPath = new Path(dir, AliasLog.file(seq, uuid, PROPOSAL));
    create(proposalPath, Json.pretty(proposal));
    proposals.put(proposalPath, proposal);
    boolean committing = false;
    try {
      hooks.afterProposal(stem);
      AliasLog listed = scan(dir);
      hooks.afterList(stem);
      Optional<String> lost = check(dir, listed, stem, proposal, started);
      if (lost.isPresent()) {
        abandon(dir, stem, proposal, lost.get());
        return new MoveResult(alias, false, seq, newRunUri, previous, lost.get());
      }
      hooks.beforeCommit(stem);
      committing = true;
      create(
          new Path(dir, AliasLog.file(seq, uuid, COMMIT)),
          Json.pretty(new AliasMarker(alias, seq, newRunUri, who, Instant.now().toString(), null)));
    } catch (RuntimeException e) {
      if (!committing) {
        abandonQuietly(dir, stem, proposal, "failed: " + e.getMessage());
      }
      throw e;
    }
    // Read back: the commit counts only if readers find it valid (stored within the lease).
    AliasLog after = scan(dir);
    Resolution resolved = after.resolve(m -> proposal(dir, m));
    String invalid = resolved.invalid().get(stem);
    if (invalid != null) {
      return new MoveResult(alias, false, seq, newRunUri, previous, "lost: " + invalid);
    }
    if (after.move(stem).map(Move::committed).isEmpty()) {
      return new MoveResult(
          alias,
          false,
          seq,
          newRunUri,
          previous,
          "lost: the commit " + AliasLog.file(seq, uuid, COMMIT) + " was written but is not"
              + " listed: the store's listings are not consistent");
    }
    return new MoveResult(
        alias,
        true,
        seq,
        newRunUri,
        previous,
        "moved " + alias + " from " + previous.orElse("unset") + " to " + newRunUri + " (seq " + seq
            + ")");
  }

  /**
   * Why the proposal {@code stem} must not commit, if it must not: the alias moved, another move
   * may still commit, or this one took so long that its commit could land past the lease.
   */
  private Optional<String> check(
      Path dir, AliasLog listed, String stem, AliasProposal mine, long startedNanos) {
    Optional<Move> me = listed.move(stem);
    if (me.isEmpty() || me.get().proposed() == null) {
      return Optional.of("lost: its own proposal " + stem + " is not listed right after it was"
          + " written: the store's listings are not consistent");
    }
    Resolution now = listed.resolve(m -> proposal(dir, m));
    if (now.seq() != mine.parentSeq()) {
      return Optional.of(
          "lost: " + movedMeanwhile(mine.alias(), Optional.ofNullable(mine.previousRunUri()), now));
    }
    List<Move> blocking = listed.blocking(me.get(), mine.parentSeq(), m -> lease(dir, m));
    if (!blocking.isEmpty()) {
      Move other = blocking.get(0);
      Optional<AliasProposal> p = proposal(dir, other);
      Instant expires = other.proposed().plus(lease(dir, other));
      return Optional.of("lost: another move of " + mine.alias() + " is under way or crashed:"
          + " proposal " + other.file(PROPOSAL)
          + p.map(q -> " by " + q.who() + " (to " + q.runUri() + ")").orElse("")
          + ", stored at " + other.proposed() + "; it blocks moves until " + expires
          + " unless it commits or gives up first"
          + (blocking.size() > 1 ? " (and " + (blocking.size() - 1) + " more)" : ""));
    }
    Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
    if (took.compareTo(lease.dividedBy(2)) > 0) {
      // A commit written now could still be in flight when the lease passes, after a contender
      // has taken this proposal for dead: give up rather than race the lease.
      return Optional.of("lost: proposing and listing took " + AliasLog.seconds(took)
          + ", more than half the lease of " + AliasLog.seconds(lease));
    }
    return Optional.empty();
  }

  private static String movedMeanwhile(
      String alias, Optional<String> expected, Resolution resolution) {
    String was = expected.map(e -> "expected it at " + e).orElse("expected it unset");
    return resolution
        .current()
        .map(v -> alias + " moved to " + v.proposal().runUri() + " meanwhile (seq "
            + v.move().seq() + ", by " + v.proposal().who() + " at " + v.move().committed()
            + "); " + was)
        .orElse(alias + " is unset; " + was);
  }

  private void abandon(Path dir, String stem, AliasProposal p, String reason) {
    create(
        new Path(dir, stem + "." + ABANDONED + ".json"),
        Json.pretty(new AliasMarker(
            p.alias(), p.seq(), p.runUri(), who, Instant.now().toString(), reason)));
  }

  private void abandonQuietly(Path dir, String stem, AliasProposal p, String reason) {
    try {
      abandon(dir, stem, p, reason);
    } catch (RuntimeException e) {
      // The proposal then blocks moves until its lease passes, as a crash's would.
      LOG.warn("Cannot abandon alias proposal {} in {}: {}", stem, dir, e.getMessage());
    }
  }

  /**
   * Appends one decision to {@code alias}'s history: every promotion, rejected or lost ones too.
   *
   * @param status e.g. promoted, rejected, lost
   * @param candidate the run that was to get the alias
   * @param previous where the alias pointed when decided (empty: unset)
   * @param reasons the reasons, in words
   * @param verdictUri the comparison behind the decision; null for none
   * @param seq the alias's seq when it moved; null when it did not
   * @return the entry as written
   */
  public AliasEvent record(
      String alias,
      String status,
      String candidate,
      Optional<String> previous,
      List<String> reasons,
      String verdictUri,
      Long seq) {
    Instant now = Instant.now();
    AliasEvent event = new AliasEvent(
        checkName(alias),
        now.toString(),
        who,
        status,
        candidate,
        previous.orElse(null),
        List.copyOf(reasons),
        verdictUri,
        seq);
    Path path = new Path(
        new Path(dir(alias), HISTORY),
        HISTORY_STAMP.format(now) + "-" + UUID.randomUUID() + ".json");
    create(path, Json.pretty(event));
    return event;
  }

  /** {@code alias}'s history, oldest first (by the writers' clocks, to the millisecond). */
  public List<AliasEvent> history(String alias) {
    Path dir = new Path(dir(checkName(alias)), HISTORY);
    List<Path> files = new ArrayList<>();
    for (FileStatus status : listStatus(dir)) {
      if (status.isFile() && status.getPath().getName().endsWith(".json")) {
        files.add(status.getPath());
      }
    }
    files.sort(Comparator.comparing(Path::getName));
    List<AliasEvent> out = new ArrayList<>();
    for (Path file : files) {
      read(file).ifPresent(text -> out.add(Json.read(text, AliasEvent.class)));
    }
    return out;
  }

  private AliasState state(String alias, Valid v) {
    AliasProposal p = v.proposal();
    return new AliasState(
        alias,
        p.runUri(),
        v.move().seq(),
        v.move().committed(),
        p.who(),
        Optional.ofNullable(p.verdictUri()));
  }

  private Path dir(String alias) {
    return new Path(new Path(root, DIRECTORY), alias);
  }

  /** The move objects in {@code dir} with their storage times (listing times, all of them). */
  private AliasLog scan(Path dir) {
    Map<String, Instant> files = new LinkedHashMap<>();
    for (FileStatus status : listStatus(dir)) {
      if (status.isFile()) {
        files.put(status.getPath().getName(), Instant.ofEpochMilli(status.getModificationTime()));
      }
    }
    return AliasLog.of(files);
  }

  private Optional<AliasProposal> proposal(Path dir, Move move) {
    Path path = new Path(dir, move.file(PROPOSAL));
    AliasProposal cached = proposals.get(path);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<String> text = read(path);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      AliasProposal p = Json.read(text.get(), AliasProposal.class);
      proposals.put(path, p);
      return Optional.of(p);
    } catch (IllegalArgumentException e) {
      // HDFS and local disks show a file while it is being written: not a proposal yet.
      return Optional.empty();
    }
  }

  /** A move's lease: its proposal's, or this instance's while the proposal cannot be read. */
  private Duration lease(Path dir, Move move) {
    return proposal(dir, move).map(p -> Duration.ofMillis(p.leaseMs())).orElse(lease);
  }

  private List<FileStatus> listStatus(Path dir) {
    try {
      return List.of(fs.listStatus(dir));
    } catch (FileNotFoundException e) {
      return List.of();
    } catch (IOException e) {
      throw storage("list", dir, e);
    }
  }

  private Optional<String> read(Path path) {
    try (InputStream in = fs.open(path)) {
      return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw storage("read", path, e);
    }
  }

  /** Writes a new object; its name is unique (a UUID), so nothing is ever overwritten. */
  private void create(Path path, String content) {
    try (OutputStream out = fs.create(path, false)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw storage("write", path, e);
    }
  }

  private static String whoAmI() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown-host";
    }
    return System.getProperty("user.name", "unknown") + "@" + host;
  }

  private static StorageException storage(String verb, Path path, IOException e) {
    return StorageErrors.classify(e, path.toString()).orElseGet(() -> {
      String reason = e.getMessage() == null
          ? e.getClass().getSimpleName()
          : e.getMessage().lines().findFirst().orElse("");
      return new StorageException("Cannot " + verb + " " + path + ": " + reason, e);
    });
  }
}
