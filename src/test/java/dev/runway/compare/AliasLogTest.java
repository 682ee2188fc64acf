package dev.runway.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runway.compare.AliasLog.Move;
import dev.runway.compare.AliasLog.Resolution;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The resolution and blocking rules on hand-made listings, including states no honest contender
 * writes (a commit without a proposal, one on a stale parent): readers must not be fooled by them.
 */
class AliasLogTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final long LEASE_MS = 600_000;

  private final Map<String, Instant> files = new HashMap<>();
  private final Map<String, AliasProposal> proposals = new HashMap<>();

  private static String uuid(int n) {
    return String.format("00000000-0000-0000-0000-%012d", n);
  }

  private String propose(long seq, int n, long parent, String run, int atSecond) {
    String stem = AliasLog.stem(seq, uuid(n));
    files.put(stem + ".proposal.json", T0.plusSeconds(atSecond));
    proposals.put(
        stem, new AliasProposal("champion", seq, parent, run, null, null, "u@h", "", LEASE_MS));
    return stem;
  }

  private void mark(String stem, String kind, int atSecond) {
    files.put(stem + "." + kind + ".json", T0.plusSeconds(atSecond));
  }

  private Resolution resolve() {
    return AliasLog.of(files).resolve(m -> Optional.ofNullable(proposals.get(m.stem())));
  }

  @Test
  void theLastValidCommitInSeqOrderWinsAndInvalidOnesAreNamed() {
    mark(propose(1, 1, 0, "r1", 0), "commit", 1);
    mark(propose(2, 2, 1, "r2", 10), "commit", 11);
    // Proposed on seq 1 too, but seq 2 moved the alias first: ignored, whenever it was written.
    mark(propose(3, 3, 1, "r3", 12), "commit", 13);
    // Committed 601 s after proposing, past its 600 s lease.
    mark(propose(4, 4, 2, "r4", 20), "commit", 621);
    // A commit with no proposal at all.
    mark(AliasLog.stem(5, uuid(5)), "commit", 700);
    files.put("history", T0);
    files.put(".00000000000000000001-x.proposal.json.crc", T0);

    Resolution r = resolve();
    assertEquals("r2", r.current().orElseThrow().proposal().runUri());
    assertEquals(2, r.seq());
    assertEquals(3, r.invalid().size(), r.invalid().toString());
    assertTrue(r.invalid()
        .get(AliasLog.stem(3, uuid(3)))
        .endsWith("was proposed on seq 1 but the alias was at seq 2"));
    assertTrue(r.invalid()
        .get(AliasLog.stem(4, uuid(4)))
        .contains("was stored 601.0 s after its proposal, past the proposal's lease of 600.0 s"));
    assertTrue(r.invalid().get(AliasLog.stem(5, uuid(5))).endsWith("has no readable proposal"));
    assertEquals(5, AliasLog.of(files).maxSeq());
  }

  @Test
  void onlyLiveProposalsAboveTheParentBlock() {
    mark(propose(1, 1, 0, "r1", 0), "commit", 1);
    String mine = propose(9, 9, 1, "mine", 1000);
    propose(2, 2, 1, "live", 500); // 500 s before mine: within its lease
    propose(3, 3, 1, "expired", 399); // 601 s before mine
    mark(propose(4, 4, 1, "abandoned", 900), "abandoned", 901);
    mark(propose(5, 5, 3, "late", 900), "commit", 1600);
    propose(1, 6, 0, "below-parent", 990);
    propose(10, 10, 1, "after-mine", 1001);

    AliasLog log = AliasLog.of(files);
    Move me = log.move(mine).orElseThrow();
    List<String> blocking = log.blocking(me, 1, m -> Duration.ofMillis(LEASE_MS)).stream()
        .map(m -> proposals.get(m.stem()).runUri())
        .toList();
    assertEquals(List.of("live", "after-mine"), blocking);
  }
}
