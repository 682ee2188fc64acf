package dev.runway.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The browser check itself: it must see what it is there to catch. */
class ReportBrowserTest {
  @TempDir
  Path tmp;

  @Test
  void aPageThatLogsAnErrorAndLoadsAnImageFromTheNetworkIsCaught() throws Exception {
    Path page = tmp.resolve("bad.html");
    Files.writeString(
        page,
        "<!DOCTYPE html><html><body><img src=\"http://example.invalid/x.png\">"
            + "<script>console.error('boom')</script></body></html>");
    ReportBrowser.Loaded loaded = ReportBrowser.load(page, tmp.resolve("bad.png"), 400);
    assertEquals(1, loaded.console().size(), loaded.console().toString());
    assertTrue(loaded.console().get(0).contains("\"boom\""), loaded.console().toString());
    assertEquals(List.of("http://example.invalid/x.png"), loaded.pageRequests());

    Path clean = tmp.resolve("clean.html");
    Files.writeString(clean, "<!DOCTYPE html><html><body><p>nothing to load</p></body></html>");
    ReportBrowser.Loaded ok = ReportBrowser.load(clean, tmp.resolve("clean.png"), 400);
    assertEquals(List.of(), ok.console());
    assertEquals(List.of(), ok.pageRequests(), "the browser's own requests are not the page's");
  }
}
