/// The self-contained live dashboard served at `GET /`: `Resources/dashboard.html`, embedded in
/// the binary by SwiftPM at build time (`.embedInCode`: no resource bundle, no Foundation
/// `Bundle` at run time), so that the page can be read, edited and linted as HTML and JS.
///
/// One HTML page with inline CSS, an inline script and hand-drawn SVG charts: nothing is fetched
/// from anywhere but this server (a Content-Security-Policy forbids it). The script polls
/// `api/overview` (``OverviewRenderer``) every second — `?interval=MS` overrides it, at least
/// 200 — computes the rates from the counters itself (5 s moving averages), keeps five minutes
/// of history in the page, starting from the server's own recent history (`api/history`, see
/// ``MetricsHistory``) so that the chart is full on load, and looks up live sessions at
/// `sessions/{interactionId}`.
///
/// Elements that tests read have stable ids whose text is the plain number (or `–` before
/// the first data): `events-total`, `events-rate`, `events-rate-peak`, `summaries-total`,
/// `summaries-rate`, `summaries-rate-peak`, `open-sessions`, `dead-letters-total`,
/// `late-events`, `evictions`, `alerts-total`, `funnel-opened`, `funnel-started`,
/// `funnel-submitted`, `funnel-completed`, `outcome-<outcome>`, `dlq-<code>`, `error-ratio`,
/// `alert-threshold`, `alerts-recent-count`, `consumer-lag-total`, `watermark-lag-max`,
/// `partition-count`, `replaying-partitions`, `ready` (`ready`/`not ready`), `poll-count`,
/// `chart-points` (points drawn in the throughput chart), `history-samples` (samples loaded
/// from `api/history`), `session-status` (`found`/`not found`/`error`).
public enum DashboardPage {
    /// The page's bytes, exactly as in `Resources/dashboard.html`.
    public static var bytes: [UInt8] { PackageResources.dashboard_html }

    /// The page as text.
    public static let html = String(decoding: PackageResources.dashboard_html, as: UTF8.self)
}
