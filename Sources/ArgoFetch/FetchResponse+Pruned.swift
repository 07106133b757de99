import ArgoCore
import ArgoJSONScan

extension FetchResponse {
    /// This response with its JSON body pruned to the first `maxItems` entries of
    /// every array and object, as the client prunes a body whose request sets
    /// `max_items` (for responses that did not come through the client, such as a plugin's examples).
    public func pruned(maxItems: Int) -> FetchResponse {
        var copy = self
        copy.body = JSONPruner.prune(body, maxItems: maxItems)
        return copy
    }
}
