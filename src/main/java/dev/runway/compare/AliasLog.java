package dev.runway.compare;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One listing of an alias's directory, and what it resolves to. Pure: the objects' names and
 * storage times in, the alias out; reading a proposal's content is left to a function the caller
 * gives, so the rules can be tested without storage.
 */
final class AliasLog {
  static final String PROPOSAL = "proposal";
  static final String COMMIT = "commit";
  static final String ABANDONED = "abandoned";

  private static final Pattern NAME =
      Pattern.compile("(\\d{20})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
          + "\\.(" + PROPOSAL + "|" + COMMIT + "|" + ABANDONED + ")\\.json");

  /**
   * One move's objects, by their shared stem {@code <seq>-<uuid>}: each time is the storage time
   * of that object, null when it is not (yet) there.
   */
  record Move(String stem, long seq, Instant proposed, Instant committed, Instant abandoned) {
    /** Orders moves as readers walk them: by seq, ties (two contenders) by uuid. */
    static final Comparator<Move> ORDER =
        Comparator.comparingLong(Move::seq).thenComparing(Move::stem);

    String file(String kind) {
      return stem + "." + kind + ".json";
    }

    Move with(String kind, Instant time) {
      return switch (kind) {
        case PROPOSAL -> new Move(stem, seq, time, committed, abandoned);
        case COMMIT -> new Move(stem, seq, proposed, time, abandoned);
        default -> new Move(stem, seq, proposed, committed, time);
      };
    }
  }

  /** What a move's objects are named by: its seq (20 digits, so names sort by it) and a UUID. */
  static String stem(long seq, String uuid) {
    return String.format("%020d-%s", seq, uuid);
  }

  /** The name of a move's object. */
  static String file(long seq, String uuid, String kind) {
    return stem(seq, uuid) + "." + kind + ".json";
  }

  /**
   * What the commits resolve to.
   *
   * @param current the last valid commit and its proposal; empty when the alias is unset
   * @param invalid why each commit that does not count does not, by stem
   */
  record Resolution(Optional<Valid> current, Map<String, String> invalid) {
    long seq() {
      return current.map(v -> v.move().seq()).orElse(0L);
    }
  }

  record Valid(Move move, AliasProposal proposal) {}

  private final Map<String, Move> moves;

  private AliasLog(Map<String, Move> moves) {
    this.moves = moves;
  }

  /**
   * The moves among {@code files} (name to storage time); other names (the history directory,
   * checksum files, anything unknown) are ignored.
   */
  static AliasLog of(Map<String, Instant> files) {
    Map<String, Move> moves = new TreeMap<>();
    files.forEach((name, time) -> {
      Matcher m = NAME.matcher(name);
      if (m.matches()) {
        String stem = m.group(1) + "-" + m.group(2);
        Move move =
            moves.getOrDefault(stem, new Move(stem, Long.parseLong(m.group(1)), null, null, null));
        moves.put(stem, move.with(m.group(3), time));
      }
    });
    return new AliasLog(moves);
  }

  /** The highest seq of any object seen; a new proposal takes the next one. */
  long maxSeq() {
    return moves.values().stream().mapToLong(Move::seq).max().orElse(0);
  }

  Optional<Move> move(String stem) {
    return Optional.ofNullable(moves.get(stem));
  }

  List<Move> moves() {
    return moves.values().stream().sorted(Move.ORDER).toList();
  }

  /**
   * Walks the commits in seq order. A commit is valid when its proposal exists, names as parent
   * the seq of the commit valid so far (0: unset), and was stored within the proposal's lease of
   * the proposal (both storage times). The alias is the last valid commit's run.
   *
   * @param proposals reads a move's proposal (empty when it cannot be read)
   */
  Resolution resolve(Function<Move, Optional<AliasProposal>> proposals) {
    Valid current = null;
    Map<String, String> invalid = new LinkedHashMap<>();
    for (Move move : moves()) {
      if (move.committed() == null) {
        continue;
      }
      long parent = current == null ? 0 : current.move().seq();
      Optional<AliasProposal> proposal =
          move.proposed() == null ? Optional.empty() : proposals.apply(move);
      if (proposal.isEmpty()) {
        invalid.put(move.stem(), "commit " + move.file(COMMIT) + " has no readable proposal");
        continue;
      }
      AliasProposal p = proposal.get();
      Duration after = Duration.between(move.proposed(), move.committed());
      if (p.parentSeq() != parent) {
        invalid.put(
            move.stem(),
            "commit " + move.file(COMMIT) + " was proposed on seq " + p.parentSeq()
                + " but the alias was at seq " + parent);
      } else if (after.toMillis() > p.leaseMs()) {
        invalid.put(
            move.stem(),
            "commit " + move.file(COMMIT) + " was stored "
                + seconds(after) + " after its proposal, past the proposal's lease of "
                + seconds(Duration.ofMillis(p.leaseMs())) + ": readers ignore it");
      } else {
        current = new Valid(move, p);
      }
    }
    return new Resolution(Optional.ofNullable(current), invalid);
  }

  /**
   * The moves other than {@code mine} that may still commit on top of {@code parentSeq}: proposed
   * with a higher seq, neither committed nor abandoned, and not older than their lease at the time
   * storage gave {@code mine}. A crashed contender's proposal so stops blocking once its lease has
   * passed, measured on the store's clock alone.
   *
   * @param leaseOf a move's lease (its proposal's, or a default when it cannot be read)
   */
  List<Move> blocking(Move mine, long parentSeq, Function<Move, Duration> leaseOf) {
    List<Move> out = new ArrayList<>();
    for (Move other : moves()) {
      if (other.stem().equals(mine.stem())
          || other.seq() <= parentSeq
          || other.proposed() == null
          || other.committed() != null
          || other.abandoned() != null) {
        continue;
      }
      Duration age = Duration.between(other.proposed(), mine.proposed());
      if (age.compareTo(leaseOf.apply(other)) <= 0) {
        out.add(other);
      }
    }
    return out;
  }

  static String seconds(Duration d) {
    return String.format("%.1f s", d.toMillis() / 1000.0);
  }
}
