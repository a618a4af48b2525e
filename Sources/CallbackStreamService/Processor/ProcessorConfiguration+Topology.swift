import CallbackStreamCore

extension ProcessorConfiguration {
    /// The settings each partition's topology runs with.
    var topology: TopologyConfiguration {
        TopologyConfiguration(
            inactivityTimeoutMs: inactivityTimeoutMs,
            allowedLatenessMs: allowedLatenessMs,
            idleAdvanceAfterMs: idleAdvanceAfterMs,
            windowMs: windowMs,
            alertThreshold: alertThreshold,
            alertMinVolume: alertMinVolume,
            maxRecordBytes: maxRecordBytes,
            includeFormValues: includeFormValues,
            publishNotOpened: publishNotOpened,
            maxOpenSessions: maxOpenSessions,
            maxRememberedSessions: maxRememberedSessions,
            maxClockSkewMs: maxClockSkewMs,
            maxSessionDurationMs: maxSessionDurationMs)
        // inputPartitionCount: set from the input topic's metadata by the stream thread.
    }
}
