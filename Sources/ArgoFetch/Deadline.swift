/// Thrown when a wait (for an in-flight permit) reached the fetch's deadline.
struct DeadlineReached: Error {}
