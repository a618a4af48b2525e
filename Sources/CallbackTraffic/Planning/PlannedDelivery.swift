/// One record of a planned session in delivery order: which step, original or duplicate, and when.
struct PlannedDelivery {
    /// Delivery position in event time: the step's timestamp plus its delay (the merge key).
    var deliveryKey: Int64
    /// Index into the session's steps.
    var step: Int
    /// `true` for the re-sent copy.
    var isDuplicate: Bool
}
