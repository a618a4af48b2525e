/// The plan of one interaction: its start and its sessions (a reopened interaction has several).
struct InteractionPlan {
    let index: Int
    let interactionId: String
    let startMs: Int64
    let sessions: [SessionPlan]
}
