package dev.runway.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.TestS3;
import dev.runway.error.JobConfigException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Aliases on a real Hadoop local file system and on a real S3 server (s3proxy through S3A): the
 * same protocol, the same assertions. Each test gets a job directory of its own.
 */
class AliasesTest {
  private static final String BUCKET = "runway-aliases";

  /** The lease of every contender but those whose proposal is to expire. */
  private static final Duration LONG = Duration.ofMinutes(10);

  /**
   * Where the aliases live, and the short lease of a contender that crashes or stalls. S3 stores
   * times to the second, so its short lease is longer and waiting for one to pass takes a second
   * more.
   */
  enum Store {
    LOCAL(Duration.ofSeconds(1), Duration.ZERO),
    S3(Duration.ofSeconds(2), Duration.ofSeconds(1));

    final Duration lease;
    final Duration timeResolution;

    Store(Duration lease, Duration timeResolution) {
      this.lease = lease;
      this.timeResolution = timeResolution;
    }

    Configuration hadoop() {
      return this == S3 ? TestS3.hadoop() : new Configuration();
    }

    /** Long enough that storage times say the lease has passed. */
    void sleepPastLease() throws InterruptedException {
      Thread.sleep(lease.plus(timeResolution).toMillis() + 200);
    }
  }

  @TempDir
  static Path tmp;

  private static ExecutorService threads;

  @BeforeAll
  static void setUp() throws IOException {
    TestS3.bucket(BUCKET);
    // S3A loads a large SDK on first use: pay it here, not inside a move's lease.
    try (FileSystem fs =
        FileSystem.newInstance(URI.create("s3a://" + BUCKET + "/"), TestS3.hadoop())) {
      fs.exists(new org.apache.hadoop.fs.Path("s3a://" + BUCKET + "/warm-up"));
    }
    Aliases.at(TestS3.hadoop(), "s3a://" + BUCKET + "/warm-up", Duration.ofMinutes(1))
        .resolve("champion");
    threads = Executors.newCachedThreadPool();
  }

  @AfterAll
  static void tearDown() {
    threads.shutdownNow();
  }

  private static String root(Store store) {
    String unique = UUID.randomUUID().toString();
    return store == Store.S3
        ? "s3a://" + BUCKET + "/" + unique + "/runs/churn"
        : tmp.resolve(unique).resolve("runs/churn").toUri().toString();
  }

  private static Aliases aliases(Store store, String root, String who) {
    return Aliases.at(store.hadoop(), root, LONG, who);
  }

  /** A contender whose proposal expires soon: its lease is the store's short one. */
  private static Aliases shortLease(Store store, String root, String who) {
    return Aliases.at(store.hadoop(), root, store.lease, who);
  }

  /** Fails with the reason unless the move won. */
  private static MoveResult won(MoveResult r) {
    assertTrue(r.won(), r.reason());
    return r;
  }

  private static String run(String root, String id) {
    return root + "/" + id;
  }

  @ParameterizedTest
  @EnumSource(Store.class)
  void anAliasIsUnsetUntilMovedThenPointsAtItsLastRun(Store store) {
    String dir = root(store);
    Aliases aliases = aliases(store, dir, "alice@a");
    assertEquals(Optional.empty(), aliases.resolve("champion"));
    assertTrue(aliases.list().isEmpty());

    MoveResult first =
        aliases.move("champion", Optional.empty(), run(dir, "r1"), run(dir, "_v/verdict-1"));
    assertTrue(first.won(), first.reason());
    assertEquals(1, first.seq());
    assertEquals(Optional.empty(), first.previous());
    assertEquals("moved champion from unset to " + run(dir, "r1") + " (seq 1)", first.reason());
    AliasState one = aliases.resolve("champion").orElseThrow();
    assertEquals(run(dir, "r1"), one.runUri());
    assertEquals(1, one.seq());
    assertEquals("alice@a", one.who());
    assertEquals(Optional.of(run(dir, "_v/verdict-1")), one.verdictUri());

    MoveResult second = aliases(store, dir, "bob@b")
        .move("champion", Optional.of(run(dir, "r1")), run(dir, "r2"), null);
    assertTrue(second.won(), second.reason());
    assertEquals(2, second.seq());
    assertEquals(Optional.of(run(dir, "r1")), second.previous());
    AliasState two = aliases.resolve("champion").orElseThrow();
    assertEquals(run(dir, "r2"), two.runUri());
    assertEquals("bob@b", two.who());
    assertEquals(Optional.empty(), two.verdictUri());
    assertFalse(two.movedAt().isBefore(one.movedAt()));

    won(aliases.move("staging", Optional.empty(), run(dir, "r3"), null));
    assertEquals(List.of("champion", "staging"), List.copyOf(aliases.list().keySet()));
    assertEquals(run(dir, "r2"), aliases.list().get("champion").runUri());
    assertEquals(run(dir, "r3"), aliases.list().get("staging").runUri());
    // A fresh reader (no cached proposals) sees the same.
    assertEquals(two, aliases(store, dir, "carol@c").resolve("champion").orElseThrow());
  }

  @ParameterizedTest
  @EnumSource(Store.class)
  void aMoveFromAStaleExpectationIsRefusedAndWritesNothing(Store store) {
    String dir = root(store);
    Aliases aliases = aliases(store, dir, "alice@a");
    won(aliases.move("champion", Optional.empty(), run(dir, "r1"), null));
    won(aliases.move("champion", Optional.of(run(dir, "r1")), run(dir, "r2"), null));

    MoveResult stale = aliases.move("champion", Optional.of(run(dir, "r1")), run(dir, "r3"), null);
    assertFalse(stale.won());
    assertEquals(0, stale.seq(), "nothing proposed");
    assertEquals(Optional.of(run(dir, "r2")), stale.previous());
    assertTrue(
        stale
            .reason()
            .startsWith(
                "champion moved to " + run(dir, "r2") + " meanwhile (seq 2, by alice@a at "),
        stale.reason());
    assertTrue(stale.reason().endsWith("; expected it at " + run(dir, "r1")), stale.reason());

    MoveResult unsetExpected = aliases.move("champion", Optional.empty(), run(dir, "r3"), null);
    assertFalse(unsetExpected.won());
    assertTrue(unsetExpected.reason().endsWith("; expected it unset"), unsetExpected.reason());

    MoveResult never = aliases.move("other", Optional.of(run(dir, "r1")), run(dir, "r3"), null);
    assertEquals("other is unset; expected it at " + run(dir, "r1"), never.reason());
    assertEquals(run(dir, "r2"), aliases.resolve("champion").orElseThrow().runUri());
    assertEquals(2, aliases.resolve("champion").orElseThrow().seq());
  }

  /**
   * The dangerous interleaving, forced: both contenders store their proposal before either lists,
   * and both list before either gives up. Each then sees the other's live proposal, so both lose.
   */
  @ParameterizedTest
  @EnumSource(Store.class)
  void twoMovesThatBothProposeBeforeEitherListsBothLose(Store store) throws Exception {
    String dir = root(store);
    won(aliases(store, dir, "setup@s").move("champion", Optional.empty(), run(dir, "r0"), null));
    CountDownLatch proposed = new CountDownLatch(2);
    CountDownLatch listed = new CountDownLatch(2);
    Aliases.Hooks interleave = new Aliases.Hooks() {
      @Override
      public void afterProposal(String stem) {
        await(proposed);
      }

      @Override
      public void afterList(String stem) {
        await(listed);
      }
    };
    Aliases alice = aliases(store, dir, "alice@a");
    Aliases bob = aliases(store, dir, "bob@b");
    alice.hooks = interleave;
    bob.hooks = interleave;
    Future<MoveResult> a = threads.submit(
        () -> alice.move("champion", Optional.of(run(dir, "r0")), run(dir, "ra"), null));
    Future<MoveResult> b = threads.submit(
        () -> bob.move("champion", Optional.of(run(dir, "r0")), run(dir, "rb"), null));
    MoveResult ra = a.get(30, TimeUnit.SECONDS);
    MoveResult rb = b.get(30, TimeUnit.SECONDS);
    assertFalse(ra.won(), ra.reason());
    assertFalse(rb.won(), rb.reason());
    assertTrue(
        ra.reason()
            .startsWith("lost: another move of champion is under way or crashed: proposal "
                + String.format("%020d", rb.seq())),
        ra.reason());
    assertTrue(
        ra.reason().contains(" by bob@b (to " + run(dir, "rb") + "), stored at "), ra.reason());
    assertTrue(ra.reason().contains("; it blocks moves until "), ra.reason());
    assertTrue(rb.reason().contains(" by alice@a (to " + run(dir, "ra") + ")"), rb.reason());
    assertEquals(run(dir, "r0"), alice.resolve("champion").orElseThrow().runUri(), "nothing moved");

    // Both gave up in writing, so neither blocks the next move until its lease passes.
    alice.hooks = Aliases.Hooks.NONE;
    MoveResult next = alice.move("champion", Optional.of(run(dir, "r0")), run(dir, "ra"), null);
    assertTrue(next.won(), next.reason());
    assertEquals(Math.max(ra.seq(), rb.seq()) + 1, next.seq(), "1 + the highest seq seen");
    assertEquals(run(dir, "ra"), bob.resolve("champion").orElseThrow().runUri());
  }

  /** Contenders started together, round after round: never two winners, and readers agree. */
  @ParameterizedTest
  @EnumSource(Store.class)
  void manyConcurrentMovesHaveAtMostOneWinnerAndItIsWhatReadersSee(Store store) throws Exception {
    String dir = root(store);
    int contenders = 4;
    int rounds = store == Store.S3 ? 5 : 10;
    // Contenders that start within one request of each other all see each other and all lose:
    // safe, but a round should be able to have a winner, so starts are spread over a few requests.
    int spreadMs = store == Store.S3 ? 400 : 30;
    List<Aliases> each = new ArrayList<>();
    for (int i = 0; i < contenders; i++) {
      each.add(aliases(store, dir, "user" + i + "@host" + i));
    }
    Aliases reader = aliases(store, dir, "reader@r");
    CyclicBarrier start = new CyclicBarrier(contenders);
    Random jitter = new Random(11);
    int winners = 0;
    int decisions = 0;
    for (int round = 0; round < rounds; round++) {
      Optional<String> before = reader.resolve("champion").map(AliasState::runUri);
      List<Future<MoveResult>> futures = new ArrayList<>();
      for (int i = 0; i < contenders; i++) {
        Aliases me = each.get(i);
        String candidate = run(dir, "round" + round + "-" + i);
        long delayMs = jitter.nextInt(spreadMs);
        futures.add(threads.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          Thread.sleep(delayMs);
          MoveResult r = me.move("champion", before, candidate, null);
          me.record(
              "champion",
              r.won() ? "promoted" : "lost",
              candidate,
              r.previous(),
              List.of(r.reason()),
              null,
              r.won() ? r.seq() : null);
          return r;
        }));
      }
      List<MoveResult> won = new ArrayList<>();
      for (Future<MoveResult> f : futures) {
        MoveResult r = f.get(30, TimeUnit.SECONDS);
        decisions++;
        if (r.won()) {
          won.add(r);
        }
      }
      assertTrue(won.size() <= 1, "round " + round + ": " + won);
      Optional<AliasState> after = reader.resolve("champion");
      if (won.isEmpty()) {
        assertEquals(before, after.map(AliasState::runUri), "round " + round);
      } else {
        assertEquals(won.get(0).candidate(), after.orElseThrow().runUri(), "round " + round);
        assertEquals(won.get(0).seq(), after.orElseThrow().seq(), "round " + round);
        winners++;
      }
    }
    assertTrue(winners > 0, "some round had a winner");
    List<AliasEvent> history = reader.history("champion");
    assertEquals(decisions, history.size());
    assertEquals(
        winners, history.stream().filter(e -> e.status().equals("promoted")).count());
  }

  /** A simulated JVM crash: nothing after the proposal runs, not even the move's own cleanup. */
  private static final class Crash extends Error {
    private static final long serialVersionUID = 1L;
  }

  @ParameterizedTest
  @EnumSource(Store.class)
  void aCrashAfterProposingBlocksMovesOnlyUntilItsLeasePasses(Store store) throws Exception {
    String dir = root(store);
    Aliases aliases = aliases(store, dir, "alice@a");
    won(aliases.move("champion", Optional.empty(), run(dir, "r1"), null));
    Aliases crashing = shortLease(store, dir, "crash@c");
    crashing.hooks = new Aliases.Hooks() {
      @Override
      public void beforeCommit(String stem) {
        throw new Crash();
      }
    };
    assertThrows(
        Crash.class,
        () -> crashing.move("champion", Optional.of(run(dir, "r1")), run(dir, "rx"), null));
    assertEquals(run(dir, "r1"), aliases.resolve("champion").orElseThrow().runUri());

    MoveResult blocked =
        aliases.move("champion", Optional.of(run(dir, "r1")), run(dir, "r2"), null);
    assertFalse(blocked.won(), blocked.reason());
    assertTrue(
        blocked.reason().contains(" by crash@c (to " + run(dir, "rx") + ")"), blocked.reason());
    assertTrue(blocked.reason().contains("; it blocks moves until "), blocked.reason());
    assertEquals(run(dir, "r1"), aliases.resolve("champion").orElseThrow().runUri());

    store.sleepPastLease();
    MoveResult after = aliases.move("champion", Optional.of(run(dir, "r1")), run(dir, "r2"), null);
    assertTrue(after.won(), after.reason());
    assertEquals(run(dir, "r2"), aliases.resolve("champion").orElseThrow().runUri());
  }

  @ParameterizedTest
  @EnumSource(Store.class)
  void aMoveThatFailsGivesUpInWritingAndLeavesTheAliasWhereItWas(Store store) {
    String dir = root(store);
    Aliases aliases = aliases(store, dir, "alice@a");
    won(aliases.move("champion", Optional.empty(), run(dir, "r1"), null));
    Aliases failing = aliases(store, dir, "fail@f");
    failing.hooks = new Aliases.Hooks() {
      @Override
      public void afterProposal(String stem) {
        throw new IllegalStateException("listing failed");
      }
    };
    IllegalStateException e = assertThrows(
        IllegalStateException.class,
        () -> failing.move("champion", Optional.of(run(dir, "r1")), run(dir, "rx"), null));
    assertEquals("listing failed", e.getMessage());
    assertEquals(run(dir, "r1"), aliases.resolve("champion").orElseThrow().runUri());
    MoveResult next = aliases.move("champion", Optional.of(run(dir, "r1")), run(dir, "r2"), null);
    assertTrue(next.won(), "the failed move abandoned its proposal: " + next.reason());
  }

  @ParameterizedTest
  @EnumSource(Store.class)
  void aCommitStoredPastTheLeaseIsIgnoredByReadersAndReportedLost(Store store) throws Exception {
    String dir = root(store);
    Aliases aliases = aliases(store, dir, "alice@a");
    won(aliases.move("champion", Optional.empty(), run(dir, "r1"), null));
    Aliases slow = shortLease(store, dir, "slow@s");
    slow.hooks = new Aliases.Hooks() {
      @Override
      public void beforeCommit(String stem) {
        try {
          store.sleepPastLease();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
    };
    MoveResult late = slow.move("champion", Optional.of(run(dir, "r1")), run(dir, "rlate"), null);
    assertFalse(late.won(), late.reason());
    assertTrue(
        late.reason().startsWith("lost: commit " + String.format("%020d", 2)), late.reason());
    assertTrue(
        late.reason()
            .endsWith("past the proposal's lease of " + AliasLog.seconds(store.lease)
                + ": readers ignore it"),
        late.reason());
    assertEquals(run(dir, "r1"), aliases.resolve("champion").orElseThrow().runUri());
    assertEquals(
        run(dir, "r1"),
        aliases(store, dir, "fresh@f").resolve("champion").orElseThrow().runUri());

    MoveResult next = aliases.move("champion", Optional.of(run(dir, "r1")), run(dir, "r2"), null);
    assertTrue(next.won(), "a late commit blocks nobody: " + next.reason());
    assertEquals(3, next.seq());
    assertEquals(run(dir, "r2"), aliases.resolve("champion").orElseThrow().runUri());
  }

  @ParameterizedTest
  @EnumSource(Store.class)
  void theHistoryListsEveryDecisionInOrder(Store store) {
    String dir = root(store);
    Aliases aliases = aliases(store, dir, "alice@a");
    assertEquals(List.of(), aliases.history("champion"));
    MoveResult moved = aliases.move("champion", Optional.empty(), run(dir, "r1"), "v1");
    aliases.record(
        "champion",
        "promoted",
        run(dir, "r1"),
        moved.previous(),
        List.of("floors hold"),
        "v1",
        moved.seq());
    aliases.record(
        "champion",
        "rejected",
        run(dir, "r2"),
        Optional.of(run(dir, "r1")),
        List.of(
            "accuracy +0.001 [-0.004, 0.006]: the interval's lower end is not above min-delta 0",
            "p = 0.41 >= alpha 0.05"),
        "v2",
        null);
    MoveResult lost = aliases.move("champion", Optional.empty(), run(dir, "r3"), "v3");
    aliases.record(
        "champion", "lost", run(dir, "r3"), lost.previous(), List.of(lost.reason()), "v3", null);

    List<AliasEvent> history = aliases(store, dir, "reader@r").history("champion");
    assertEquals(
        List.of("promoted", "rejected", "lost"),
        history.stream().map(AliasEvent::status).toList());
    AliasEvent first = history.get(0);
    assertEquals("champion", first.alias());
    assertEquals("alice@a", first.who());
    assertEquals(run(dir, "r1"), first.candidate());
    assertEquals(null, first.previous());
    assertEquals(List.of("floors hold"), first.reasons());
    assertEquals("v1", first.verdictUri());
    assertEquals(1L, first.seq());
    AliasEvent second = history.get(1);
    assertEquals(run(dir, "r1"), second.previous());
    assertEquals(2, second.reasons().size());
    assertEquals(null, second.seq());
    assertTrue(history.get(2).reasons().get(0).startsWith("champion moved to " + run(dir, "r1")));
    assertEquals(
        run(dir, "r1"),
        aliases.resolve("champion").orElseThrow().runUri(),
        "history is not resolution");
  }

  @Test
  void namesAndRunArgumentsAreChecked() {
    JobConfigException bad =
        assertThrows(JobConfigException.class, () -> Aliases.checkName("Champion"));
    assertEquals(
        "Cannot use alias 'Champion': an alias is a lower-case letter followed by up to 63"
            + " lower-case letters, digits, '_' and '-'",
        bad.getMessage());
    assertEquals(Optional.empty(), AliasedRun.parse("s3a://bucket/runs/churn/r1"));
    assertEquals(
        Optional.of(new AliasedRun("champion", "s3a://bucket/runs")),
        AliasedRun.parse("alias:champion@s3a://bucket/runs"));
    JobConfigException noDir =
        assertThrows(JobConfigException.class, () -> AliasedRun.parse("alias:champion"));
    assertEquals(
        "Cannot use --run alias:champion: name the output root the alias belongs to, as"
            + " alias:NAME@ROOT_URI (e.g. alias:champion@s3a://bucket/runs)",
        noDir.getMessage());
    assertThrows(JobConfigException.class, () -> AliasedRun.parse("alias:../x@s3a://bucket/runs"));
  }

  private static void await(CountDownLatch latch) {
    latch.countDown();
    try {
      if (!latch.await(20, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the other contender never got here");
      }
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
