/// How a failed submission's `metadata.errors` array is written: plain code strings or `{"code": …}` objects.
public enum TrafficErrorStyle: String, Sendable, Equatable, Codable {
    /// `["TIMESLOT_UNAVAILABLE"]`
    case strings
    /// `[{"code":"TIMESLOT_UNAVAILABLE","message":"…","status":409}]`
    case objects
}
