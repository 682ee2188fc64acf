package dev.runway.data;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A schema as the DDL line {@code source.schema} takes ("a INT, `b c` STRING"), for a user to
 * paste instead of writing thirty columns by hand. Names are quoted only where they need it.
 */
public final class SchemaDdl {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private SchemaDdl() {}

  /** The DDL line of {@code schema}; Spark parses it back to the same names and types. */
  public static String of(StructType schema) {
    String ddl = render(schema, false);
    // A plain name can still be a keyword the DDL parser refuses or reads differently; quoting
    // every name is always safe, only less readable.
    return parsesBackTo(ddl, schema) ? ddl : render(schema, true);
  }

  private static String render(StructType schema, boolean quoteAll) {
    List<String> columns = new ArrayList<>();
    for (StructField field : schema.fields()) {
      String name = field.name();
      boolean quote = quoteAll || !PLAIN.matcher(name).matches();
      columns.add((quote ? "`" + name.replace("`", "``") + "`" : name) + " "
          + field.dataType().sql());
    }
    return String.join(", ", columns);
  }

  private static boolean parsesBackTo(String ddl, StructType schema) {
    try {
      StructType parsed = StructType.fromDDL(ddl);
      if (parsed.fields().length != schema.fields().length) {
        return false;
      }
      for (int i = 0; i < parsed.fields().length; i++) {
        if (!parsed.fields()[i].name().equals(schema.fields()[i].name())
            || !parsed.fields()[i].dataType().equals(schema.fields()[i].dataType())) {
          return false;
        }
      }
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
