import ArgoCore
import ArgoLua

extension LuaState {
    /// Pushes `{ status = …, headers = { [name] = value, … }, body = … }`, the
    /// table a plugin's `parse` gets for one HTTP response (names are lower
    /// case; a repeated name keeps its last value).
    func pushResponse(_ response: FetchResponse) throws {
        try reserveStack(4)
        pushTable(fields: 3)
        pushInteger(Int64(response.status))
        setField("status")
        pushTable(fields: response.headers.count)
        for header in response.headers {
            pushString(header.value)
            setField(header.name)
        }
        setField("headers")
        pushBytes(response.body)
        setField("body")
    }
}
